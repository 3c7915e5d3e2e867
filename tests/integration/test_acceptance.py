"""Client review and online acceptance: links, code, consents, evidence chain, sealed pack."""

import datetime
import hashlib
import io
import json

import pypdf
import pytest
from acceptance_helpers import accept_form, as_shown, last_code, url, verify_email
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from terms_kit.documents import sealing
from terms_kit.exceptions import CodeInvalid, ImmutableRecord, IncompleteAcceptance, LinkInvalid
from terms_kit.models import AccessLink, ConsentRecord, SealedFile
from terms_kit.services import acceptance as service

pytestmark = pytest.mark.django_db


def read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def sign(client, token, keys, capture, full_name="Julien Petit"):
    verify_email(client, token)
    with capture(execute=True):
        return client.post(url("accept", token), accept_form(keys, full_name), follow=True)


def test_send_to_client_numbers_the_quote_and_mails_a_hashed_personal_link(sent):
    engagement, sent_link = sent("S1")
    engagement.refresh_from_db()
    assert engagement.status == "sent" and engagement.number
    link = sent_link.link
    assert link.token_sha256 == hashlib.sha256(sent_link.token.encode()).hexdigest()
    assert not AccessLink.objects.filter(token_sha256=sent_link.token).exists()
    assert len(sent_link.token) >= 43  # token_urlsafe(32)
    assert sorted(d.kind for d in link.documents.all()) == ["quote", "terms"]
    [message] = mail.outbox
    assert message.to == ["julien.petit@example.net"] and sent_link.url in message.body
    assert engagement.number in message.subject


def test_a_new_link_revokes_the_old_one(sent, client, django_capture_on_commit_callbacks):
    engagement, first = sent("S1")
    with django_capture_on_commit_callbacks(execute=True):
        second = service.send_to_client(engagement, engagement.owner)
    with pytest.raises(LinkInvalid, match="replaced"):
        service.resolve_link(first.token)
    response = client.get(url("review", first.token))
    assert response.status_code == 410 and b"replaced" in response.content
    assert client.get(url("review", second.token)).status_code == 200


def test_expired_or_revoked_link_is_refused_and_records_nothing(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    verify_email(client, token)
    AccessLink.objects.filter(pk=sent_link.link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(url("accept", token), accept_form(["terms", "deposit"]))
    assert response.status_code == 410 and b"expired" in response.content
    assert client.get(url("review", token)).status_code == 410
    AccessLink.objects.filter(pk=sent_link.link.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1))
    service.revoke_links(engagement)
    response = client.post(url("accept", token), accept_form(["terms", "deposit"]))
    assert response.status_code == 410
    assert not ConsentRecord.objects.exists()
    engagement.refresh_from_db()
    assert engagement.status == "sent"


def test_unknown_token_says_nothing_about_any_expert(sent, client):
    sent("S2")
    response = client.get(url("review", "x" * 43))
    assert response.status_code == 410
    assert b"Bernard" not in response.content and b"Acme" not in response.content


def test_email_code_wrong_attempts_are_limited(sent, django_capture_on_commit_callbacks):
    _engagement, sent_link = sent("S2")
    link = sent_link.link
    with django_capture_on_commit_callbacks(execute=True):
        service.send_email_code(link)
    good = last_code()
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(CodeInvalid, match="Wrong code"):
            service.verify_email_code(link, wrong)
    with pytest.raises(CodeInvalid, match="Too many"):
        service.verify_email_code(link, good)
    with django_capture_on_commit_callbacks(execute=True):
        service.send_email_code(link)
    service.verify_email_code(link, last_code())
    link.refresh_from_db()
    assert link.email_verified_at is not None
    assert good not in "".join(link.codes.values_list("code_hash", flat=True))


def test_consents_depend_on_the_case(sent):
    _s1, s1 = sent("S1")
    assert [c.key for c in service.consents_for(s1.link)] == [
        "terms", "early_start", "withdrawal_loss"]
    _s2, s2 = sent("S2")
    consents = service.consents_for(s2.link)
    assert [c.key for c in consents] == ["terms", "deposit"]
    assert "acompte" in consents[1].wording and "30" in consents[1].wording
    # A business client at a distance starting early: no consumer early-start consents.
    _s2b, s2b = sent("S2", change=lambda s: s["engagement"].update(early_start_requested=True))
    assert "early_start" not in [c.key for c in service.consents_for(s2b.link)]


@pytest.mark.parametrize("missing", ["terms", "early_start", "withdrawal_loss", "full_name"])
def test_nothing_can_be_skipped_or_blank(sent, client, missing):
    engagement, sent_link = sent("S1")
    verify_email(client, sent_link.token)
    keys = [k for k in ("terms", "early_start", "withdrawal_loss") if k != missing]
    name = "" if missing == "full_name" else "Julien Petit"
    with pytest.raises(IncompleteAcceptance) as caught:
        service.accept(sent_link.link, ticked={k: True for k in keys}, full_name=name,
                       ip_address="127.0.0.1", user_agent="test")
    assert list(caught.value.errors) == [missing]
    response = client.post(url("accept", sent_link.token), accept_form(keys, name), follow=True)
    assert as_shown("Nothing was signed: complete the highlighted items.") in response.content
    assert not ConsentRecord.objects.exists()


def test_signing_needs_the_verified_email(sent):
    _engagement, sent_link = sent("S2")
    with pytest.raises(IncompleteAcceptance) as caught:
        service.accept(sent_link.link, ticked={"terms": True, "deposit": True},
                       full_name="Marie Durand", ip_address="127.0.0.1", user_agent="t")
    assert "code" in caught.value.errors


def test_s2_acceptance_records_evidence_seals_the_pack_and_mails_both_parties(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    assert client.get(url("review", token)).status_code == 200
    mail.outbox.clear()
    response = sign(client, token, ["terms", "deposit"], django_capture_on_commit_callbacks,
                    "Marie Durand")
    assert as_shown("Thank you: the quote is accepted. Your signed copy has been sent to you by "
                 "e-mail.") in response.content

    [record] = ConsentRecord.objects.all()
    engagement.refresh_from_db()
    # Accepted, then the deposit falls due at once (the payment schedule follows the money).
    assert engagement.status == "deposit_due" and record.engagement == engagement
    assert engagement.status_changes.filter(to_status="accepted").count() == 1
    payload = json.loads(record.payload)
    shown = {d.kind: d for d in sent_link.link.documents.all()}
    assert {d["kind"]: d["pdf_sha256"] for d in payload["documents"]} == {
        kind: d.pdf_sha256 for kind, d in shown.items()}
    for document in shown.values():  # what the client downloaded is what is on record
        downloaded = client.get(url("document", token, document.pk, "pdf"))
        body = b"".join(downloaded.streaming_content)
        assert hashlib.sha256(body).hexdigest() == document.pdf_sha256
    assert payload["terms"]["content_hash"] == engagement.terms_version.content_hash
    assert [(c["key"], c["checked"]) for c in payload["consents"]] == [
        ("terms", True), ("deposit", True)]
    assert all(c["wording"] for c in payload["consents"])
    assert payload["client"]["verified_email"] == engagement.client.email
    assert payload["client"]["signer_name"] == "Marie Durand"
    assert payload["network"]["ip_address"] == "127.0.0.1"
    assert set(payload["steps"]) >= {"link_first_opened_at", "code_sent_at",
                                     "email_verified_at", "signed_at"}
    assert record.previous_hash == "0" * 64

    sealed = SealedFile.objects.get(record=record)
    pack = b"".join(client.get(url("sealed", token, "acceptance")).streaming_content)
    assert hashlib.sha256(pack).hexdigest() == sealed.pdf_sha256
    assert sealing.check_seal(pack).ok
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(pack), strict=False).embedded_signatures
    assert record.record_hash in str(signature.sig_object["/Reason"])
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pack)).pages)
    assert "Marie Durand" in text and engagement.number in text
    assert shown["quote"].pdf_sha256 in text.replace("\n", "")

    recipients = sorted(m.to[0] for m in mail.outbox if m.attachments)
    assert recipients == sorted([engagement.client.email, engagement.identity.email])
    assert all(m.attachments[0][1] == pack for m in mail.outbox if m.attachments)

    with pytest.raises(ImmutableRecord):
        record.save()
    # Replayed POST, double click, second tab: one record and a clear message.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("accept", token), accept_form(["terms", "deposit"]),
                            follow=True)
    assert as_shown("This quote has already been accepted. Your signed copy is available on this "
                 "page.") in again.content
    assert ConsentRecord.objects.count() == 1 and SealedFile.objects.count() == 1


def test_a_token_for_engagement_a_never_returns_a_document_of_b(
        sent, client, make_expert, django_capture_on_commit_callbacks):
    _a, link_a = sent("S2")
    _b, link_b = sent("S1", owner=make_expert("other"))
    b_docs = list(link_b.link.documents.all())
    for document in b_docs:
        for fmt in ("pdf", "docx"):
            response = client.get(url("document", link_a.token, document.pk, fmt))
            assert response.status_code == 404
            assert b"Claire" not in response.content
    sign(client, link_b.token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks)
    assert client.get(url("sealed", link_a.token, "acceptance")).status_code == 404
    assert client.get(url("sealed", link_b.token, "acceptance")).status_code == 200


def test_seal_validates_and_fails_when_one_byte_changes(sealed_settings):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(300, 300)
    buffer = io.BytesIO()
    writer.write(buffer)
    sealed = sealing.seal_pdf(buffer.getvalue(), "test")
    assert sealing.check_seal(sealed).ok
    # One byte inside the signed range (the original document, before the signature).
    start = sealed.index(b"/Type /Page") if b"/Type /Page" in sealed else 20
    altered = bytearray(sealed)
    altered[start + 1] ^= 0x01
    check = sealing.check_seal(bytes(altered))
    assert not check.ok and not check.intact
    assert not sealing.check_seal(buffer.getvalue()).sealed


def test_verify_command_catches_an_edited_record_and_an_edited_file(
        sent, client, django_capture_on_commit_callbacks):
    _a, link_a = sent("S2")
    sign(client, link_a.token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    client.logout()
    _b, link_b = sent("S1")
    sign(client, link_b.token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks)
    first, second = ConsentRecord.objects.order_by("sequence")
    assert second.previous_hash == first.record_hash
    call_command("termskit", "verify")  # intact: no error

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ConsentRecord._meta.db_table} SET payload = %s WHERE id = %s",
            [first.payload.replace("Marie", "Mario").replace("Julien", "Julia"), first.pk])
    with pytest.raises(CommandError, match="problem"):
        call_command("termskit", "verify")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ConsentRecord._meta.db_table} SET payload = %s WHERE id = %s",
                       [first.payload, first.pk])
    call_command("termskit", "verify")

    sealed = SealedFile.objects.get(record=second)
    storage = sealed.pdf.storage
    data = bytearray(read(sealed.pdf))
    data[200] ^= 0x01
    storage.delete(sealed.pdf.name)
    storage.save(sealed.pdf.name, io.BytesIO(bytes(data)))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", stderr=err)
    assert f"sealed file {sealed.pk}" in err.getvalue()
    assert "record" not in err.getvalue()


def test_withdrawal_for_a_consumer_at_a_distance(sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S1")
    token = sent_link.token
    mail.outbox.clear()
    sign(client, token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks)
    acceptance_mail = next(m for m in mail.outbox if m.to == [engagement.client.email]
                           and m.attachments)
    assert url("withdraw", token) in acceptance_mail.body
    page = client.get(url("review", token))
    assert url("withdraw", token).encode() in page.content
    confirm = client.get(url("withdraw", token))
    assert as_shown("Confirm the withdrawal") in confirm.content
    engagement.refresh_from_db()
    assert engagement.status == "deposit_due"  # the page alone changes nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("withdraw", token))
    engagement.refresh_from_db()
    assert engagement.status == "withdrawn"
    record = ConsentRecord.objects.get(kind="withdrawal")
    receipt = read(SealedFile.objects.get(record=record).pdf)
    assert sealing.check_seal(receipt).ok
    receipt_text = pypdf.PdfReader(io.BytesIO(receipt)).pages[0].extract_text()
    assert record.record_hash in receipt_text.replace("\n", "")
    [message] = mail.outbox
    assert engagement.client.email in message.to and message.attachments[0][1] == receipt
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("withdraw", token))
    assert ConsentRecord.objects.filter(kind="withdrawal").count() == 1


def test_no_withdrawal_for_a_business_client(sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    client.post(url("withdraw", sent_link.token))
    engagement.refresh_from_db()
    assert engagement.status == "deposit_due"
    assert not ConsentRecord.objects.filter(kind="withdrawal").exists()


def test_public_verification_page(sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    pack = read(SealedFile.objects.get().pdf)
    response = client.post("/terms/verify/", {"pdf": io.BytesIO(pack)})
    body = response.content.decode()
    assert "Sealed document of this site, unchanged" in body and engagement.number in body
    assert "version 1" in body
    assert "Bernard" not in body and engagement.identity.email not in body
    altered = bytearray(pack)
    altered[300] ^= 0x01
    response = client.post("/terms/verify/", {"pdf": io.BytesIO(bytes(altered))})
    assert "Not a sealed document of this site" in response.content.decode()


def test_code_requests_are_rate_limited(sent, client, settings):
    settings.TERMS_KIT = {**settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (100, 60), "code": (3, 60), "accept": (5, 60), "verify": (5, 60)}}
    _engagement, sent_link = sent("S2")
    statuses = [client.post(url("code", sent_link.token)).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_posts_need_the_csrf_token(sent):
    from django.test import Client

    _engagement, sent_link = sent("S2")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url("code", sent_link.token))
    assert response.status_code == 403 and b"Request refused" in response.content


def test_admin_send_action_and_owner_only_sealed_download(
        make_engagement, sealed_settings, client, make_expert, django_capture_on_commit_callbacks):
    engagement = make_engagement("S2")
    client.force_login(engagement.owner)
    status_url = f"/admin/terms-kit/engagements/{engagement.pk}/status/"
    assert b"Send to client" in client.get(status_url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/terms-kit/engagements/{engagement.pk}/send/")
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "sent"
    [message] = mail.outbox
    token = message.body.split("/terms/c/")[1].split("/")[0]
    client.logout()
    sign(client, token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    sealed = SealedFile.objects.get()
    client.force_login(engagement.owner)
    assert client.get(f"/admin/terms-kit/sealed/{sealed.pk}/").status_code == 200
    client.force_login(make_expert("intruder"))
    assert client.get(f"/admin/terms-kit/sealed/{sealed.pk}/").status_code == 404
    assert client.post(f"/admin/terms-kit/engagements/{engagement.pk}/send/").status_code == 404
    revoke = f"/admin/terms-kit/engagements/{engagement.pk}/revoke-links/"
    assert client.post(revoke).status_code == 404
    client.force_login(engagement.owner)
    assert b"Revoke the client" in client.get(status_url).content
    client.post(revoke)
    client.logout()
    assert client.get(url("review", token)).status_code == 410


def test_verify_command_catches_a_deleted_record(sent, client, django_capture_on_commit_callbacks):
    _a, link_a = sent("S2")
    sign(client, link_a.token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    record = ConsentRecord.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SealedFile._meta.db_table}")
        cursor.execute(f"DELETE FROM {ConsentRecord._meta.db_table} WHERE id = %s", [record.pk])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", "--skip-files", stderr=err)
    assert "missing or was replaced" in err.getvalue()


def test_withdrawal_period_ends_after_fourteen_days(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S1")
    sign(client, sent_link.token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks)
    engagement.refresh_from_db()
    accepted_at = ConsentRecord.objects.get().created_at
    assert service.can_withdraw(engagement, accepted_at + datetime.timedelta(days=13))
    assert not service.can_withdraw(engagement, accepted_at + datetime.timedelta(days=15))


def test_system_check_names_the_missing_seal_setting(settings):
    from terms_kit.checks import check_seal_certificate

    settings.TERMS_KIT = {"SEAL_KEY": "/nonexistent/key.pem"}
    messages = [m.msg for m in check_seal_certificate()]
    assert any("SEAL_CERTIFICATE" in m and "not set" in m for m in messages)
    assert any("/nonexistent/key.pem" in m for m in messages)
