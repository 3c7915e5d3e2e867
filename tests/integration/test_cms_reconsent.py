"""Re-consent sending (issue 14): from the list, each listed client gets a link to accept the
new terms version through the acceptance flow; a new chained record, a sealed PDF, the old
acceptance untouched; pending / accepted / declined shown to the expert; isolation over HTTP."""

import io
import json

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reconsent_helpers import on_version, versions

from terms_kit.acceptance import pack
from terms_kit.acceptance.evidence import check_chain, check_files, check_sealed_files
from terms_kit.exceptions import AlreadyDone, TermsKitError
from terms_kit.models import (
    AccessLink,
    ConsentRecord,
    Engagement,
    ReconsentRequest,
    SealedFile,
    SentMessage,
)
from terms_kit.services import reconsent
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(accepted, text_pdfs, django_capture_on_commit_callbacks):
    """S2 accepted by its client, now on v1; v2 changes a material clause."""
    engagement, _link = accepted("S2")
    v1, v2 = versions(engagement.owner)
    return on_version(engagement, v1), v1, v2


def send(v2, engagement, capture):
    with capture(execute=True):
        return reconsent.send_reconsent(v2, engagement, engagement.owner)


def diff_page(client, user, v2):
    client.force_login(user)
    return client.get(reverse("terms_kit_termsversion:diff", args=[v2.pk]))


def test_the_listed_client_gets_one_link_and_sending_twice_sends_nothing(
        listed, django_capture_on_commit_callbacks):
    engagement, v1, v2 = listed
    mail.outbox.clear()
    first = send(v2, engagement, django_capture_on_commit_callbacks)
    again = send(v2, engagement, django_capture_on_commit_callbacks)
    assert first.link is not None and again.link is None and again.request == first.request
    assert AccessLink.objects.filter(reconsent=first.request).count() == 1
    assert [m.to for m in mail.outbox] == [[engagement.client.email]]
    assert first.url in mail.outbox[0].body and "version 2" in mail.outbox[0].body
    assert SentMessage.objects.filter(kind="reconsent", engagement=engagement).count() == 1
    # The client's link shows the new terms only, as an issued document of the engagement.
    [document] = first.link.documents.all()
    assert document.kind == "terms" and document.engagement_id == engagement.pk
    engagement.refresh_from_db()
    assert engagement.terms_version == v1  # nothing changes before the answer


def test_only_clients_on_the_list_can_be_sent_a_link(listed, make_engagement,
                                                      django_capture_on_commit_callbacks):
    engagement, v1, v2 = listed
    draft = on_version(make_engagement("S2", owner=engagement.owner), v1)  # not accepted
    with pytest.raises(TermsKitError, match="not on the list"):
        send(v2, draft, django_capture_on_commit_callbacks)
    Engagement.objects.filter(pk=engagement.pk).update(status=Status.CANCELLED)
    with pytest.raises(TermsKitError, match="not on the list"):
        send(v2, engagement, django_capture_on_commit_callbacks)
    assert not ReconsentRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert reconsent.send_to_all(v2, engagement.owner) == []


def test_the_client_accepts_the_new_version_through_the_acceptance_flow(
        listed, django_capture_on_commit_callbacks, client):
    engagement, v1, v2 = listed
    first = ConsentRecord.objects.get(engagement=engagement, kind="acceptance")
    sent = send(v2, engagement, django_capture_on_commit_callbacks)
    browser = Client()
    page = browser.get(url("review", sent.token)).content.decode()
    assert "Texte ajouté en 2027." in page and 'data-state="pending"' in page
    verify_email(browser, sent.token)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url("accept", sent.token), accept_form(["terms"], "Marie Durand"))
    assert response.status_code == 302
    record = ConsentRecord.objects.get(engagement=engagement, kind="terms_reconsent")
    sealed = SealedFile.objects.get(record=record)
    request = ReconsentRequest.objects.get(pk=sent.request.pk)
    engagement.refresh_from_db()
    assert request.state == "accepted" and request.record == record and request.sealed == sealed
    assert engagement.terms_version == v2
    # The first acceptance is as it was; the history says which version was accepted when.
    assert ConsentRecord.objects.get(pk=first.pk).record_hash == first.record_hash
    history = reconsent.terms_history(engagement)
    assert [(h.kind, h.version) for h in history][-1] == ("terms_reconsent", v2.version)
    assert history[0].kind == "acceptance" and history[0].record_sequence == first.sequence
    assert v2.content_hash in record.payload and "pénalités et indemnité" in record.payload
    # The sealed PDF: the new terms, then the certificate naming both versions.
    with sealed.pdf.storage.open(sealed.pdf.name, "rb") as handle:
        text = " ".join(p.extract_text() for p in pack.pypdf.PdfReader(io.BytesIO(
            handle.read())).pages)
    assert "Remplacent" in text and record.record_hash in text.replace("\n", "")
    assert {m.to[0] for m in mail.outbox} == {engagement.client.email,
                                              engagement.identity.email}
    # The public check names, for each sealed file, the version that file is about.
    from terms_kit.acceptance.presentation import seal_verdict

    def verdict(sealed_file):
        with sealed_file.pdf.storage.open(sealed_file.pdf.name, "rb") as handle:
            return seal_verdict(handle.read())

    old_pack = verdict(SealedFile.objects.get(record=first))
    new_pack = verdict(sealed)
    assert old_pack["ok"] and old_pack["accepted_at"] == first.created_at
    assert old_pack["terms_version"] == json.loads(first.payload)["terms"]["version"]
    assert new_pack["ok"] and new_pack["terms_version"] == v2.version
    assert new_pack["accepted_at"] == record.created_at
    # The evidence checks cover the new kind and stay clean.
    assert check_chain() == [] and check_files() == [] and check_sealed_files() == []
    call_command("termskit", "verify")
    # Accepting again stores nothing more; the page offers the sealed copy.
    with pytest.raises(AlreadyDone):
        reconsent.accept_reconsent(sent.link, ticked={"terms": True}, full_name="Marie Durand",
                                   ip_address="127.0.0.1", user_agent="pytest")
    assert ConsentRecord.objects.filter(kind="terms_reconsent").count() == 1
    assert browser.get(url("sealed", sent.token, "terms_reconsent")).status_code == 200
    assert browser.get(url("sealed", sent.token, "acceptance")).status_code == 404
    # The expert's list now shows the client as accepted.
    page = diff_page(client, engagement.owner, v2).content.decode()
    assert f'data-engagement="{engagement.pk}" data-state="accepted"' in page


def test_a_record_of_the_new_kind_altered_is_reported(listed, django_capture_on_commit_callbacks):
    engagement, v1, v2 = listed
    sent = send(v2, engagement, django_capture_on_commit_callbacks)
    browser = Client()
    verify_email(browser, sent.token)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url("accept", sent.token), accept_form(["terms"], "Marie Durand"))
    record = ConsentRecord.objects.get(kind="terms_reconsent")
    ConsentRecord.objects.filter(pk=record.pk).update(
        payload=record.payload.replace(v2.content_hash, v1.content_hash))
    assert any("content altered" in p.reason for p in check_chain())


def test_a_client_who_declines_keeps_the_old_terms(listed, django_capture_on_commit_callbacks,
                                                    client):
    engagement, v1, v2 = listed
    sent = send(v2, engagement, django_capture_on_commit_callbacks)
    browser = Client()
    assert browser.post(url("decline", sent.token)).status_code == 302
    engagement.refresh_from_db()
    assert engagement.terms_version == v1
    assert ReconsentRequest.objects.get().state == "declined"
    assert not ConsentRecord.objects.filter(kind="terms_reconsent").exists()
    assert 'data-state="declined"' in browser.get(url("review", sent.token)).content.decode()
    verify_email(browser, sent.token)
    browser.post(url("accept", sent.token), accept_form(["terms"], "Marie Durand"))
    assert not ConsentRecord.objects.filter(kind="terms_reconsent").exists()
    # Declined: the expert sees it, and sending again sends nothing.
    assert send(v2, engagement, django_capture_on_commit_callbacks).link is None
    page = diff_page(client, engagement.owner, v2).content.decode()
    assert 'data-state="declined"' in page


def test_incomplete_answer_signs_nothing(listed, django_capture_on_commit_callbacks):
    engagement, v1, v2 = listed
    sent = send(v2, engagement, django_capture_on_commit_callbacks)
    browser = Client()
    verify_email(browser, sent.token)
    browser.post(url("accept", sent.token), accept_form([], "Marie Durand"))
    assert ReconsentRequest.objects.get().state == "pending"
    assert not ConsentRecord.objects.filter(kind="terms_reconsent").exists()


def test_sending_over_http_and_a_second_expert_gets_404(listed, make_expert, client):
    engagement, v1, v2 = listed
    send_url = reverse("terms_kit_termsversion:reconsent", args=[v2.pk])
    page = diff_page(client, engagement.owner, v2).content.decode()
    assert f'data-engagement="{engagement.pk}" data-state=""' in page
    bob = make_expert("bob")
    client.force_login(bob)
    assert client.post(send_url, {"engagement": engagement.pk}).status_code == 404
    assert client.post(send_url).status_code == 404
    assert client.get(reverse("terms_kit_termsversion:diff", args=[v2.pk])).status_code == 404
    assert not ReconsentRequest.objects.exists()
    client.force_login(engagement.owner)
    with TestCaptured():
        response = client.post(send_url)
    assert response.status_code == 302
    assert ReconsentRequest.objects.get().state == "pending"
    page = diff_page(client, engagement.owner, v2).content.decode()
    assert f'data-engagement="{engagement.pk}" data-state="pending"' in page
    # A made-up engagement id (another expert's, or none) is not found.
    assert client.post(send_url, {"engagement": 10**9}).status_code == 404


class TestCaptured:
    def __enter__(self):
        from django.test import TestCase

        self.context = TestCase.captureOnCommitCallbacks(execute=True)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def test_the_reconsent_certificate_gives_the_new_versions_permanent_address(
        listed, django_capture_on_commit_callbacks):
    """A live terms page publishes the series: the certificate of the client's answer gives
    the new version's /v/<n>/ address (the one accepted), not the old version's."""
    from pages_helpers import site_root

    from terms_kit.models import TermsPage

    engagement, v1, v2 = listed
    page = site_root().add_child(instance=TermsPage(
        title="CGV", slug="cgv", expert=engagement.owner, audience="business", terms=v1))
    sent = send(v2, engagement, django_capture_on_commit_callbacks)
    browser = Client()
    verify_email(browser, sent.token)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url("accept", sent.token), accept_form(["terms"], "Marie Durand"))
    sealed = SealedFile.objects.get(record__kind="terms_reconsent", engagement=engagement)
    with sealed.pdf.storage.open(sealed.pdf.name, "rb") as handle:
        text = "".join("".join(p.extract_text().split()) for p in pack.pypdf.PdfReader(
            io.BytesIO(handle.read())).pages)
    address = page.get_full_url() + f"v/{v2.version}/"
    assert "Adressepermanentedecesconditions" in text and address in text
    assert page.get_full_url() + f"v/{v1.version}/" not in text
