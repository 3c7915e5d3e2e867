"""The pictures of the docs: every image a doc shows exists, and the invoice pictures of
docs/payments.md are drawn from real issued invoices (S2 through the payments services,
LibreOffice PDF/A-3 Factur-X): the deposit invoice, the final invoice that deducts the
earlier invoices by number, and a credit note. With TERMS_KIT_SCREENSHOTS=docs/images the
first pages are written there (pdftoppm, 70 dpi), which is how the docs' copies are made."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from documents_helpers import flat, pdf_text, pdfa_identification

from terms_kit.services import payments

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_image_a_doc_shows_exists():
    shown = {}
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                shown[(doc.name, target)] = doc.parent / target
    assert shown  # the pattern found the docs' images
    missing = [key for key, path in shown.items()
               if not path.is_file() or not path.read_bytes().startswith(PNG_SIGNATURE)]
    assert not missing, missing


def _read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_payments_doc_invoice_pictures_come_from_issued_invoices(
        accepted, django_capture_on_commit_callbacks, tmp_path):
    folder = Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)
    engagement, _link = accepted("S2")
    today = timezone.localdate()

    def step(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):  # the document task runs
            return function(*args, **kwargs)

    deposit_payment = step(payments.record_payment, engagement, amount="4320.00",
                           paid_on=today, method="transfer", reference="VIR ACOMPTE")
    for milestone in engagement.milestones.all():
        invoice = step(payments.mark_milestone_done, engagement, milestone)
        if invoice.kind != "final":
            step(payments.record_payment, engagement, amount=str(invoice.net),
                 paid_on=today, method="transfer")
    final = invoice
    refund = step(payments.refund_payment, deposit_payment, amount="100.00",
                  reason="Geste commercial")
    pictures = {
        "invoice-deposit-s2": (deposit_payment.invoices.get(), "Facture d'acompte"),
        "invoice-final-s2": (final, "Facture"),
        "credit-note-s2": (refund.credit_note, "Avoir"),
    }
    assert final.kind == "final" and final.deducted > 0
    for name, (invoice, title) in pictures.items():
        pdf = _read(invoice.document.pdf)
        assert pdfa_identification(pdf) == ("3", "B")
        text = flat(pdf_text(pdf))
        assert title in text and invoice.number in text
        subprocess.run(["pdftoppm", "-r", "70", "-f", "1", "-l", "1", "-png", "-singlefile",
                        "-", str(folder / name)], input=pdf, capture_output=True, check=True)
        png = (folder / f"{name}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 20000, name
    # The final invoice deducts each earlier invoice by its number.
    final_text = flat(pdf_text(_read(final.document.pdf)))
    for earlier in engagement.invoices.filter(kind__in=["deposit", "milestone"]):
        assert earlier.number in final_text
