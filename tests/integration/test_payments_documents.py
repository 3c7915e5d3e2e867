"""Issued invoices through the real pipeline (docxtpl + LibreOffice PDF/A-3, Factur-X): S2's deposit
invoice, a milestone invoice with its EPC QR code, a credit note; no placeholder anywhere."""

import io

import pytest
from django.utils import timezone
from documents_helpers import flat, fonts_without_embedding, pdf_text, pdfa_identification
from docx import Document
from payments_helpers import number

from terms_kit.services import payments

pytestmark = pytest.mark.django_db

PLACEHOLDERS = ("[", "attribué à l'émission", "à la réception du paiement", "given on issue")


def read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def test_s2_invoices_as_pdfa_with_every_mention_and_no_placeholder(
        accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    # Each document is made by the make_invoice_document task, enqueued when the
    # transaction that issued the invoice commits.
    with django_capture_on_commit_callbacks(execute=True):
        deposit = payments.record_payment(engagement, amount="4320.00",
                                          paid_on=timezone.localdate(), method="transfer"
                                          ).invoices.get()
    with django_capture_on_commit_callbacks(execute=True):
        milestone = payments.mark_milestone_done(engagement, engagement.milestones.first())
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_payment(engagement.payments.get(), amount="100.00",
                                         reason="Geste commercial")
    for invoice, title in ((deposit, "Facture d'acompte"), (milestone, "Facture d'étape"),
                           (refund.credit_note, "Avoir")):
        pdf = read(invoice.document.pdf)
        # Invoices and credit notes are Factur-X: PDF/A-3b (docs/einvoicing.md).
        assert pdfa_identification(pdf) == ("3", "B")
        assert fonts_without_embedding(pdf) == []
        text = flat(pdf_text(pdf))
        assert title in text and invoice.number in text
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, (invoice.number, placeholder)
        # fr-rules.md section 2: seller and client SIREN, VAT numbers, totals per rate.
        assert "SIREN 626018154" in text and "FR32626018154" in text and "SIREN 183016617" in text
    deposit_text = flat(pdf_text(read(deposit.document.pdf)))
    for figure in ("Total HT : 3 600,00 €", "TVA : 720,00 €", "Total TTC : 4 320,00 €",
                   "Date de versement de l'acompte", "40,00 €", "prestation de services"):
        assert figure in deposit_text, figure
    milestone_text = flat(pdf_text(read(milestone.document.pdf)))
    assert f"Acompte déjà versé ({number('F', 1, milestone.issue_date)}" in milestone_text
    assert "Net à payer : 480,00 €" in milestone_text and "Date d'échéance" in milestone_text
    assert f"référence à indiquer : {number('F', 2, milestone.issue_date)}" in milestone_text
    # The EPC QR code is an image in the milestone invoice (it asks for money), not in the
    # deposit invoice (already paid).
    assert len(Document(io.BytesIO(read(milestone.document.docx))).inline_shapes) == 1
    assert len(Document(io.BytesIO(read(deposit.document.docx))).inline_shapes) == 0
    credit_text = flat(pdf_text(read(refund.credit_note.document.pdf)))
    assert f"Avoir sur la facture n° {number('F', 2, milestone.issue_date)}" in credit_text or (
        f"Avoir sur la facture n° {number('F', 1, milestone.issue_date)}" in credit_text)
    assert "Montant de l'avoir : 100,00 €" in credit_text
