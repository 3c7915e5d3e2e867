"""The status page over HTTP: what an expert may record by hand, and "signed on paper".

"Accepted" comes only from the client's online acceptance or from the signed scan, which is
checked, stored in the private storage, hashed and chained; `termskit verify` stays clean and
catches an altered scan. Another expert gets 404s and nothing is stored.
"""

import datetime
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from terms_kit.documents.hashing import sha256
from terms_kit.models import AccessLink, ConsentRecord, Engagement, StatusChange
from terms_kit.services import acceptance as acceptance_service
from terms_kit.status import Origin, Status
from terms_kit.storage import private_storage

pytestmark = pytest.mark.django_db


def status_url(engagement):
    return reverse("terms_kit_engagement:status", args=[engagement.pk])


def paper_url(engagement):
    return reverse("terms_kit_engagement:paper", args=[engagement.pk])


def one_page_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG")
    return out.getvalue()


def paper_form(data, name="signed.pdf", content_type="application/pdf", **extra):
    return {"scan": SimpleUploadedFile(name, data, content_type=content_type),
            "signer_name": "Sophie Le Gall", "signer_role": "Présidente",
            "signed_on": timezone.localdate().isoformat(), **extra}


def radios(html):
    return re.findall(r'<input type="radio" name="to_status" value="([a-z_]+)"([^>]*)>', html)


@pytest.fixture
def alice(make_expert):
    return make_expert("alice")


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


def test_a_sent_quote_offers_events_with_nothing_chosen_and_never_accepted(client, alice,
                                                                           sent):
    engagement, _link = sent("S2", owner=alice)
    client.force_login(alice)
    html = client.get(status_url(engagement)).content.decode()
    offered = radios(html)
    assert {value for value, _attrs in offered} == {"declined", "expired", "cancelled"}
    assert all("checked" not in attrs for _value, attrs in offered)
    assert "<select" not in html.split('id="change-status"')[1].split("</section>")[0]
    assert 'value="accepted"' not in html and 'value="withdrawn"' not in html
    # Posting nothing chosen is refused with a message saying what to do.
    response = client.post(status_url(engagement), {"note": ""})
    assert response.status_code == 200
    assert "Choose what happened" in response.content.decode()
    # Posting "accepted" by hand is refused: it is not a choice.
    client.post(status_url(engagement), {"to_status": "accepted"})
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT


def test_cancelling_a_sent_quote_stops_its_link(client, alice, sent):
    engagement, sent_link = sent("S1", owner=alice)
    client.force_login(alice)
    response = client.post(status_url(engagement), {"to_status": "cancelled", "note": "typo"})
    assert response.status_code == 302
    assert not AccessLink.objects.filter(engagement=engagement, revoked_at__isnull=True).exists()
    page = client.get(reverse("terms_kit:client_review", args=[sent_link.token]))
    assert page.status_code in (404, 410)


@pytest.mark.parametrize("key", ["S2", "S6"])  # a company, a consumer
def test_withdrawal_and_money_changes_are_never_offered_by_hand(client, alice, accepted, key):
    engagement, _link = accepted(key)
    Engagement.objects.filter(pk=engagement.pk).update(owner=alice)
    client.force_login(alice)
    values = {value for value, _ in radios(client.get(status_url(engagement)).content.decode())}
    assert values.isdisjoint({"withdrawn", "in_progress", "paid", "deposit_due", "delivered",
                              "balance_due", "refunded", "accepted"})


def test_signed_on_paper_accepts_through_the_chain_and_verify_stays_clean(
        client, alice, sent, text_pdfs):
    engagement, sent_link = sent("S2", owner=alice)
    client.force_login(alice)
    html = client.get(status_url(engagement)).content.decode()
    assert 'id="signed-on-paper"' in html
    scan = one_page_pdf()
    response = client.post(paper_url(engagement), paper_form(scan))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Status.DEPOSIT_DUE  # accepted, then the deposit fell due
    change = StatusChange.objects.get(engagement=engagement, to_status=Status.ACCEPTED)
    assert change.origin == Origin.ACCEPTANCE and change.changed_by == alice
    record = ConsentRecord.objects.get(engagement=engagement, kind="acceptance")
    payload = json.loads(record.payload)
    assert payload["method"] == "paper"
    assert payload["paper"]["scan_sha256"] == sha256(scan)
    assert payload["client"]["signer_name"] == "Sophie Le Gall"
    assert payload["client"]["signer_role"] == "Présidente"
    assert record.hash_version == 2
    # Stored in the private storage, under its hash; downloadable by its expert.
    with private_storage.open(payload["paper"]["scan_name"], "rb") as handle:
        assert handle.read() == scan
    download = client.get(reverse("terms_kit_engagement:paper_scan", args=[engagement.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == scan
    # The client's link no longer works: the quote is signed.
    page = client.get(reverse("terms_kit:client_review", args=[sent_link.token]))
    assert page.status_code in (404, 410)
    call_command("termskit", "verify")  # clean
    # An altered scan is caught.
    name = payload["paper"]["scan_name"]
    private_storage.delete(name)
    private_storage.save(name, io.BytesIO(scan + b"%tampered"))
    with pytest.raises(CommandError):
        call_command("termskit", "verify")
    # Put the scan back: the storage is content-addressed and shared by later tests (the
    # withdrawal letter's test stores the same blank page).
    private_storage.delete(name)
    private_storage.save(name, io.BytesIO(scan))


def test_a_png_scan_is_accepted(client, alice, sent, text_pdfs):
    engagement, _link = sent("S1", owner=alice)
    client.force_login(alice)
    response = client.post(paper_url(engagement),
                           paper_form(png_bytes(), "scan.png", "image/png"))
    assert response.status_code == 302
    payload = json.loads(ConsentRecord.objects.get(engagement=engagement).payload)
    assert payload["paper"]["scan_type"] == "image/png"


@pytest.mark.parametrize(("data", "name", "field", "message"), [
    (b"MZ\x90\x00 not a pdf at all", "signed.pdf", "scan", "PDF, JPEG or PNG"),
    (b"%PDF-1.7 broken", "signed.pdf", "scan", "cannot be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "scan.png", "scan", "PDF, JPEG or PNG"),
])
def test_a_file_that_is_not_a_readable_scan_is_refused_and_nothing_stored(
        client, alice, sent, data, name, field, message):
    engagement, _link = sent("S1", owner=alice)
    client.force_login(alice)
    response = client.post(paper_url(engagement), paper_form(data, name))
    assert response.status_code == 400
    assert message in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT
    assert not ConsentRecord.objects.exists()


def test_a_future_signing_date_or_an_oversized_scan_is_refused(client, alice, sent,
                                                              monkeypatch):
    engagement, _link = sent("S1", owner=alice)
    client.force_login(alice)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(paper_url(engagement),
                           paper_form(one_page_pdf(), signed_on=tomorrow))
    assert response.status_code == 400 and "not in the future" in response.content.decode()
    monkeypatch.setattr("terms_kit.admin.views.PAPER_MAX_BYTES", 100)
    response = client.post(paper_url(engagement), paper_form(one_page_pdf()))
    assert response.status_code == 400 and "over 10 MB" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_paper_is_refused_once_accepted_online(client, alice, accepted, text_pdfs):
    engagement, _link = accepted("S1")
    Engagement.objects.filter(pk=engagement.pk).update(owner=alice)
    client.force_login(alice)
    assert 'id="signed-on-paper"' not in client.get(status_url(engagement)).content.decode()
    client.post(paper_url(engagement), paper_form(one_page_pdf()))
    assert ConsentRecord.objects.filter(engagement=engagement).count() == 1
    with pytest.raises(acceptance_service.AlreadyDone):
        from terms_kit.services.paper import accept_on_paper

        accept_on_paper(engagement, scan=one_page_pdf(), signer_name="X Y",
                        signed_on=timezone.localdate(), user=alice)


def test_another_expert_can_neither_record_nor_download_a_paper_signature(
        client, alice, bob, sent, text_pdfs):
    engagement, _link = sent("S1", owner=alice)
    client.force_login(bob)
    assert client.post(paper_url(engagement), paper_form(one_page_pdf())).status_code == 404
    assert not ConsentRecord.objects.exists()
    client.force_login(alice)
    client.post(paper_url(engagement), paper_form(one_page_pdf()))
    client.force_login(bob)
    scan_url = reverse("terms_kit_engagement:paper_scan", args=[engagement.pk])
    assert client.get(scan_url).status_code == 404
    assert client.get(status_url(engagement)).status_code == 404


def test_the_withdrawal_period_of_a_paper_signature_runs_from_the_date_signed(
        client, sent, text_pdfs):
    """S6 (self-paid training, consumer): 10 days from the signature on paper, not from the
    upload three days later."""
    from terms_kit.services.paper import accept_on_paper
    from terms_kit.services.payments import accepted_on, withdrawal_end

    engagement, _link = sent("S6")
    signed = timezone.localdate() - datetime.timedelta(days=3)
    Engagement.objects.filter(pk=engagement.pk).update(issue_date=signed)
    engagement.refresh_from_db()
    record = accept_on_paper(engagement, scan=one_page_pdf(), signer_name="Hugo Lambert",
                             signed_on=signed, user=engagement.owner)
    assert accepted_on(engagement) == signed
    rights = json.loads(record.payload)["rights"]
    assert rights["withdrawal"] and rights["withdrawal_days"] == 10
    assert withdrawal_end(engagement) == signed + datetime.timedelta(days=10)
    assert rights["withdrawal_deadline"].startswith(
        (signed + datetime.timedelta(days=10)).isoformat())
