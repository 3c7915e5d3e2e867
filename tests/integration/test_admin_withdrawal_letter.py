"""A consumer's withdrawal received by letter, recorded by the expert on the status page.

Recorded like "signed on paper": a chained, insert-only consent record (method "letter",
the dates, the optional scan's SHA-256), then "withdrawn" through the status service.
Refused with a message that says why for a business client, after the period, or twice;
another expert gets 404s and nothing is stored.
"""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from terms_kit.documents.hashing import sha256
from terms_kit.models import ConsentRecord, Engagement, StatusChange
from terms_kit.status import Origin, Status
from terms_kit.storage import private_storage
from tests.integration.test_admin_status_page import one_page_pdf, status_url

pytestmark = pytest.mark.django_db


def letter_url(engagement):
    return reverse("terms_kit_engagement:withdrawal_letter", args=[engagement.pk])


def letter_form(sent_on=None, received_on=None, scan=None):
    today = timezone.localdate()
    data = {"sent_on": (sent_on or today).isoformat(),
            "received_on": (received_on or today).isoformat()}
    if scan is not None:
        data["scan"] = SimpleUploadedFile("letter.pdf", scan, content_type="application/pdf")
    return data


def owned(engagement):
    return Engagement.objects.get(pk=engagement.pk).owner


def test_a_letter_within_the_period_withdraws_through_the_chain(client, accepted, text_pdfs):
    engagement, _link = accepted("S1")  # a consumer at a distance
    client.force_login(owned(engagement))
    html = client.get(status_url(engagement)).content.decode()
    assert 'id="withdrawal-letter"' in html and "The client withdrew by letter" in html
    last_day = (timezone.localdate() + datetime.timedelta(days=14)).strftime("%d/%m/%Y")
    assert f"Last day to send it: {last_day}." in html
    # The e-mails sent are named in words, not by their stored code.
    assert "<td>Signed copy</td>" in html and "<td>accepted</td>" not in html
    scan = one_page_pdf()
    today = timezone.localdate()
    response = client.post(letter_url(engagement), letter_form(
        sent_on=today - datetime.timedelta(days=1), received_on=today, scan=scan))
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement.refresh_from_db()
    assert engagement.status == Status.WITHDRAWN
    change = StatusChange.objects.get(engagement=engagement, to_status=Status.WITHDRAWN)
    assert change.origin == Origin.ACCEPTANCE and change.changed_by == engagement.owner
    record = ConsentRecord.objects.get(engagement=engagement, kind="withdrawal")
    payload = json.loads(record.payload)
    assert payload["method"] == "letter"
    assert payload["letter"]["sent_on"] == (today - datetime.timedelta(days=1)).isoformat()
    assert payload["letter"]["received_on"] == today.isoformat()
    assert payload["letter"]["scan_sha256"] == sha256(scan)
    with private_storage.open(payload["letter"]["scan_name"], "rb") as handle:
        assert handle.read() == scan
    download = client.get(reverse("terms_kit_engagement:withdrawal_letter_scan",
                                  args=[engagement.pk]))
    assert b"".join(download.streaming_content) == scan
    call_command("termskit", "verify")  # the chain and the stored scan are intact
    # An altered letter scan is caught, as an altered paper acceptance scan is.
    name = payload["letter"]["scan_name"]
    private_storage.delete(name)
    private_storage.save(name, io.BytesIO(scan + b"%tampered"))
    with pytest.raises(CommandError):
        call_command("termskit", "verify")
    call_command("termskit", "verify", "--skip-files")  # the chain itself is clean
    # Put the scan back: the storage is content-addressed and shared by later tests.
    private_storage.delete(name)
    private_storage.save(name, io.BytesIO(scan))
    # Twice is refused; the page no longer offers it.
    again = client.post(letter_url(engagement), letter_form())
    assert again.status_code in (302, 400)
    assert ConsentRecord.objects.filter(engagement=engagement, kind="withdrawal").count() == 1
    html = client.get(status_url(engagement)).content.decode()
    assert 'id="withdrawal-letter"' not in html
    assert "(by letter · " in html  # the record says how it came, with its scan


def test_the_scan_is_optional(client, accepted, text_pdfs):
    engagement, _link = accepted("S1")
    client.force_login(owned(engagement))
    assert client.post(letter_url(engagement), letter_form()).status_code == 302
    payload = json.loads(ConsentRecord.objects.get(engagement=engagement,
                                                   kind="withdrawal").payload)
    assert "scan_sha256" not in payload["letter"]
    assert reverse("terms_kit_engagement:withdrawal_letter_scan", args=[engagement.pk]) not in (
        client.get(status_url(engagement)).content.decode())


def test_a_letter_sent_after_the_period_is_refused_the_postmark_decides(
        client, accepted, text_pdfs, monkeypatch):
    engagement, _link = accepted("S1")
    client.force_login(owned(engagement))
    in_three_weeks = timezone.localdate() + datetime.timedelta(days=21)
    last_day = timezone.localdate() + datetime.timedelta(days=14)  # accepted today
    real_localdate = timezone.localdate

    def three_weeks_later(value=None, tz=None):
        return in_three_weeks if value is None else real_localdate(value, tz)

    monkeypatch.setattr("django.utils.timezone.localdate", three_weeks_later)
    response = client.post(letter_url(engagement),
                           letter_form(sent_on=in_three_weeks, received_on=in_three_weeks))
    assert response.status_code == 400
    html = response.content.decode()
    assert "too late to withdraw" in html and "C. conso L221-18" in html
    assert not ConsentRecord.objects.filter(engagement=engagement, kind="withdrawal").exists()
    # Sent on the last day, received later: in time (the postmark decides).
    response = client.post(letter_url(engagement),
                           letter_form(sent_on=last_day, received_on=in_three_weeks))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Status.WITHDRAWN


def test_a_business_client_has_no_withdrawal_to_record(client, accepted, text_pdfs):
    engagement, _link = accepted("S2")  # an 8-person SAS
    client.force_login(owned(engagement))
    html = client.get(status_url(engagement)).content.decode()
    assert "The client withdrew by letter" not in html
    assert "No withdrawal right applies to this contract" in html
    response = client.post(letter_url(engagement), letter_form(scan=one_page_pdf()))
    assert response.status_code == 400
    assert "This client is a business" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status != Status.WITHDRAWN
    assert not ConsentRecord.objects.filter(engagement=engagement, kind="withdrawal").exists()


def test_dates_in_the_wrong_order_are_refused(client, accepted, text_pdfs):
    engagement, _link = accepted("S1")
    client.force_login(owned(engagement))
    today = timezone.localdate()
    response = client.post(letter_url(engagement), letter_form(
        sent_on=today, received_on=today - datetime.timedelta(days=1)))
    assert response.status_code == 400
    assert "on or before the day it reached you" in response.content.decode()


def test_another_expert_gets_404_and_nothing_is_stored(client, accepted, make_expert,
                                                       text_pdfs):
    engagement, _link = accepted("S1")
    client.force_login(make_expert("mallory"))
    assert client.post(letter_url(engagement), letter_form(scan=one_page_pdf())).status_code == 404
    assert client.get(reverse("terms_kit_engagement:withdrawal_letter_scan",
                              args=[engagement.pk])).status_code == 404
    assert not ConsentRecord.objects.filter(engagement=engagement, kind="withdrawal").exists()
    engagement.refresh_from_db()
    assert engagement.status != Status.WITHDRAWN
