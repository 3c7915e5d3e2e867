"""No code path deletes an issued invoice or evidence younger than its legal retention (10 years
for invoices, see docs/deployment.md for evidence): every reachable delete is tried here, through
the Wagtail admin as the expert and as a superuser, model.delete(), queryset.delete() and the
cascades from the client, the identity and the expert's account; each is refused with a clear
message and every record and file stays."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError, RestrictedError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from terms_kit.exceptions import ImmutableRecord
from terms_kit.models import (
    BusinessIdentity,
    Client,
    ConsentRecord,
    Engagement,
    Invoice,
    IssuedDocument,
    Payment,
    SealedFile,
    StatusChange,
    TermsVersion,
)
from terms_kit.services import payments
from terms_kit.storage import private_storage

pytestmark = pytest.mark.django_db

REFUSED = (ImmutableRecord, ProtectedError, RestrictedError)
KEPT = (Engagement, Client, BusinessIdentity, TermsVersion, IssuedDocument, Invoice, Payment,
        ConsentRecord, SealedFile, StatusChange)


@pytest.fixture
def invoiced(accepted, text_pdfs, django_capture_on_commit_callbacks):
    """S2 accepted online, its deposit paid: a numbered invoice with its document."""
    engagement, _link = accepted("S2")
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                                method="transfer")
    invoice = Invoice.objects.get(engagement=engagement, kind="deposit")
    assert invoice.number and invoice.document.pdf_sha256
    return engagement, invoice


def snapshot(engagement):
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True))
            for model in KEPT}


def files(engagement):
    names = [f.name for d in IssuedDocument.objects.filter(engagement=engagement)
             for f in (d.pdf, d.docx)]
    names += [s.pdf.name for s in SealedFile.objects.filter(engagement=engagement)]
    return names


def assert_refused(action, *words):
    with pytest.raises(REFUSED) as caught:
        action()
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def test_model_and_queryset_deletes_are_refused(invoiced):
    engagement, invoice = invoiced
    before, stored = snapshot(engagement), files(engagement)
    records = {
        "invoice": invoice,
        "invoice document": invoice.document,
        "signed quote": engagement.access_links.first().documents.get(kind="quote"),
        "consent record": ConsentRecord.objects.filter(engagement=engagement).first(),
        "sealed pack": SealedFile.objects.get(engagement=engagement),
        "status change": StatusChange.objects.filter(engagement=engagement).first(),
        "payment": Payment.objects.get(engagement=engagement),
        "terms version": engagement.terms_version,
        "client": engagement.client,
        "identity": engagement.identity,
        "engagement": engagement,
    }
    for what, record in records.items():
        assert record is not None, what
        assert_refused(record.delete)
        assert_refused(type(record).objects.filter(pk=record.pk).delete)
    # The expert's account: its records are owned, never cascaded away.
    assert_refused(engagement.owner.delete)
    assert_refused(get_user_model().objects.filter(pk=engagement.owner_id).delete)
    assert snapshot(engagement) == before
    assert all(private_storage.exists(name) for name in stored)


@pytest.mark.parametrize("as_superuser", [False, True])
def test_the_admin_delete_views_refuse_with_a_message(invoiced, client, as_superuser):
    engagement, invoice = invoiced
    before, stored = snapshot(engagement), files(engagement)
    if as_superuser:
        client.force_login(get_user_model().objects.create_superuser("root", "r@example.com",
                                                                     "x"))
    else:
        client.force_login(engagement.owner)
    deletes = {
        "engagement": ("terms_kit_engagement:delete", engagement.pk),
        "client": ("terms_kit_client:delete", engagement.client_id),
        "identity": ("terms_kit_identity:delete", engagement.identity_id),
        "terms version": ("terms_kit_termsversion:delete", engagement.terms_version_id),
    }
    for what, (name, pk) in deletes.items():
        for method in ("get", "post"):
            response = getattr(client, method)(reverse(name, args=[pk]), follow=True)
            assert response.status_code == 200, what
            shown = [str(m) for m in response.context["messages"]]
            assert shown and any("cannot" in m or "Only a draft" in m or "kept" in m
                                 for m in shown), (what, shown)
    # Issued documents, invoices and evidence have no delete view at all.
    for name in ("terms_kit_issueddocument:delete", "terms_kit_invoice:delete",
                 "terms_kit_consentrecord:delete", "terms_kit_sealedfile:delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[1])
    if as_superuser:
        # Deleting the expert's user account from Wagtail's users admin.
        response = client.post(reverse("wagtailusers_users:delete", args=[engagement.owner_id]),
                               follow=True)
        assert get_user_model().objects.filter(pk=engagement.owner_id).exists()
        assert response.status_code in (200, 403)
    assert snapshot(engagement) == before
    assert all(private_storage.exists(name) for name in stored)


def test_a_draft_with_preview_documents_is_not_deleted_and_the_expert_is_told_why(
        make_engagement, text_pdfs, client):
    from terms_kit.services.documents import issue_document

    engagement = make_engagement("S2")
    preview = issue_document(engagement, "quote", "fr")
    client.force_login(engagement.owner)
    response = client.post(reverse("terms_kit_engagement:delete", args=[engagement.pk]),
                           follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("kept for their legal retention" in m for m in shown), shown
    assert Engagement.objects.filter(pk=engagement.pk).exists()
    assert IssuedDocument.objects.filter(pk=preview.pk).exists()
    assert private_storage.exists(preview.pdf.name)
