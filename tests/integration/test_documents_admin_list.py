"""The documents list in the admin: human names, which one was sent or signed, superseded
versions, hashes in a details view; "Generate" after signing never makes an unsigned
certificate above the signed one."""

import re

import pytest
from django.urls import reverse

from terms_kit.models import Engagement, IssuedDocument
from terms_kit.services.documents import issue_document

pytestmark = pytest.mark.django_db


def page(engagement):
    return reverse("terms_kit_engagement:documents", args=[engagement.pk])


def rows(html):
    """(document id, role) of each row, in the order shown."""
    return [(int(pk), role) for pk, role in
            re.findall(r'<tr data-document="(\d+)" data-role="([a-z]+)">', html)]


def test_after_signing_the_list_says_what_was_signed_and_generate_adds_no_certificate(
        client, make_expert, accepted, django_capture_on_commit_callbacks, text_pdfs):
    engagement, _link = accepted("S2")
    expert = engagement.owner
    client.force_login(expert)
    html = client.get(page(engagement)).content.decode()
    shown = dict(rows(html))
    certificate = engagement.documents.get(kind="certificate")
    # The quote the client was shown, and its copy with the "Bon pour accord" block filled in.
    quote, signed_copy = engagement.documents.filter(kind="quote").order_by("pk")
    assert signed_copy.snapshot["extras"]["acceptance"]
    assert shown[certificate.pk] == shown[quote.pk] == shown[signed_copy.pk] == "signed"
    assert "Acceptance certificate" in html and "Signed by the client" in html
    # The two signed quotes say which is which.
    assert "Quote (devis) as shown and accepted" in html
    assert "Quote (devis), signed copy (“Bon pour accord” filled in)" in html
    assert "deposit_invoice" not in re.sub(r"<[^>]+>", " ", html)  # no raw kind shown
    # Hashes are in a details disclosure, not a column.
    assert "<th>SHA-256" not in html
    assert re.search(r"<details[^>]*>.*?" + quote.pdf_sha256, html, re.S)
    before = IssuedDocument.objects.filter(engagement=engagement, kind="certificate").count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("terms_kit_engagement:documents_generate", args=[engagement.pk]),
                    {"language": "en"})
    assert IssuedDocument.objects.filter(engagement=engagement,
                                         kind="certificate").count() == before
    html = client.get(page(engagement)).content.decode()
    order = rows(html)
    certificates = [pk for pk, _role in order
                    if IssuedDocument.objects.get(pk=pk).kind == "certificate"]
    assert certificates == [certificate.pk]
    english = engagement.documents.get(kind="quote", language="en")
    assert dict(order)[english.pk] == "copy"  # a translation made after: not what was signed


def test_an_older_quote_is_marked_superseded_below_the_sent_one(client, alice_sent):
    engagement, older, sent_quote = alice_sent
    client.force_login(engagement.owner)
    order = rows(client.get(page(engagement)).content.decode())
    roles = dict(order)
    assert roles[sent_quote.pk] == "sent" and roles[older.pk] == "superseded"
    ids = [pk for pk, _ in order]
    assert ids.index(sent_quote.pk) < ids.index(older.pk)


@pytest.fixture
def alice_sent(make_expert, make_engagement, sealed_settings, text_pdfs,
               django_capture_on_commit_callbacks):
    from terms_kit.services.acceptance import send_to_client
    from tests.conftest import acknowledge_warnings

    alice = make_expert("alice")
    engagement = make_engagement("S1", owner=alice)
    # A quote made before the final wording (another snapshot): older than the one sent.
    older = issue_document(engagement, "quote", "fr", extras={"draft_note": "v1"})
    acknowledge_warnings(engagement)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_to_client(engagement, alice)
    sent_quote = sent.link.documents.get(kind="quote")
    assert sent_quote.pk != older.pk
    return Engagement.objects.get(pk=engagement.pk), older, sent_quote


def test_another_expert_cannot_see_the_list(client, make_expert, alice_sent):
    engagement, _older, _sent = alice_sent
    client.force_login(make_expert("bob"))
    assert client.get(page(engagement)).status_code == 404
