"""Factur-X invoices: every invoice and credit note of S1-S6, made by the real task, is a
PDF carrying a CII XML (EN 16931) that passes the XSD, the EN 16931 / Factur-X schematron and
the French BR-FR rules offline, says the same totals as the invoice, and is what the stored
hash covers. `termskit einvoice check` catches a broken total.

Documents are made by tests/text_pdf.py here (the XML is under test, not the layout); the
LibreOffice PDF/A-3 test is test_einvoicing_pdfa3 below.
"""

import datetime
import hashlib
import io
import re
from decimal import Decimal as D

import facturx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from einvoice_helpers import first, stored_pdf, totals, xml_of
from payments_helpers import pdf_text

from terms_kit.einvoicing.cii import EINVOICE_KINDS
from terms_kit.einvoicing.validation import validate_xml
from terms_kit.models import Invoice
from terms_kit.services import payments

pytestmark = pytest.mark.django_db


def _pay(engagement, amount, **extra):
    extra.setdefault("paid_on", timezone.localdate())
    extra.setdefault("method", "transfer")
    return payments.record_payment(engagement, amount=amount, **extra)


def _s1(engagement, step):
    [instalment] = engagement.instalments.all()
    payments.secure_instalment(instalment, reference="hold 1")
    payment = step(_pay, engagement, "60.00", method="card_terminal")
    step(payments.refund_payment, payment, amount="20.00", reason="Call cut short")


def _s2(engagement, step):
    payment = step(_pay, engagement, "4320.00")
    for milestone in engagement.milestones.all():
        invoice = step(payments.mark_milestone_done, engagement, milestone)
        step(_pay, engagement, str(invoice.net))
    step(payments.refund_payment, payment, amount="100.00", reason="Geste commercial")


def _s3(engagement, step):
    step(_pay, engagement, "900.00", method="card_terminal")
    payments.record_credit_use(engagement, quantity="1.5", note="session 1")
    step(payments.refund_unused_credit, engagement, reason="Pack cancelled")


def _s4(engagement, step):
    for note in ("question 1", "question 2"):
        act = step(payments.record_act, engagement, note=note)
        step(_pay, engagement, str(act.amount), method="card_online")


def _s5(engagement, step):
    step(_pay, engagement, "900.00", method="cheque")
    step(payments.mark_completed, engagement)
    step(_pay, engagement, "900.00")


def _s6(engagement, step):
    day11 = timezone.localdate() + datetime.timedelta(days=11)
    step(payments.payments_sweep, day11)
    step(_pay, engagement, "360.00", paid_on=day11)
    for milestone in list(engagement.milestones.all())[1:]:
        step(payments.mark_milestone_done, engagement, milestone, on=day11)
        step(_pay, engagement, "420.00", paid_on=day11)


FLOWS = {"S1": _s1, "S2": _s2, "S3": _s3, "S4": _s4, "S5": _s5, "S6": _s6}


@pytest.mark.parametrize("key", sorted(FLOWS))
def test_every_invoice_of_the_scenario_is_a_valid_facturx_with_the_pdf_totals(
        key, text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted(key)

    def step(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):  # the document task runs
            return function(*args, **kwargs)

    FLOWS[key](engagement, step)
    invoices = list(Invoice.objects.filter(engagement=engagement, kind__in=EINVOICE_KINDS)
                    .order_by("series", "sequence"))
    assert invoices, key
    kinds = {invoice.kind for invoice in invoices}
    assert kinds & {"deposit", "milestone", "final", "act"}, (key, kinds)
    for invoice in invoices:
        pdf = stored_pdf(invoice)
        # The stored hash is the hash of the final Factur-X file.
        assert hashlib.sha256(pdf).hexdigest() == invoice.document.pdf_sha256
        xml = xml_of(invoice)
        report = validate_xml(xml)
        assert report.checks_run == ["XSD", "EN16931", "BR-FR"]
        assert report.valid, (invoice.number, [(f.rule, f.message) for f in report.failures])
        figures = totals(xml)
        paid_now = D(invoice.snapshot["paid"]) if invoice.snapshot.get("received_on") else 0
        assert figures["TaxBasisTotalAmount"] == invoice.excl_vat
        assert figures["TaxTotalAmount"] == invoice.vat
        assert figures["GrandTotalAmount"] == invoice.incl_vat
        assert figures["TotalPrepaidAmount"] == invoice.deducted + paid_now
        assert figures["DuePayableAmount"] == invoice.net - paid_now
        assert first(xml, "//rsm:ExchangedDocument/ram:ID") == invoice.number
        type_code = first(xml, "//rsm:ExchangedDocument/ram:TypeCode")
        assert type_code == {"deposit": "386", "credit_note": "381"}.get(invoice.kind, "380")
        # ...and the PDF prints the same figures.
        text = pdf_text(invoice)
        assert invoice.number in text
        total = f"{invoice.incl_vat:,.2f}".replace(",", " ").replace(".", ",")
        assert total in re.sub(r"\s", " ", text), (invoice.number, total)
    if key == "S1":  # franchise en base: exempt, with the article, and no VAT
        xml = xml_of(invoices[0])
        assert first(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                          "ram:CategoryCode") == "E"
        assert "293 B" in first(xml, "//ram:ApplicableHeaderTradeSettlement/"
                                     "ram:ApplicableTradeTax/ram:ExemptionReason")


def _s2_deposit(accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    with django_capture_on_commit_callbacks(execute=True):
        payment = _pay(engagement, "4320.00")
    return payment.invoices.get()


def test_einvoice_check_lists_a_wrong_total_and_fails(
        text_pdfs, accepted, django_capture_on_commit_callbacks, tmp_path):
    invoice = _s2_deposit(accepted, django_capture_on_commit_callbacks)
    good = tmp_path / "good.pdf"
    good.write_bytes(stored_pdf(invoice))
    out = io.StringIO()
    call_command("termskit", "einvoice", "check", str(good), stdout=out)
    assert "VALID" in out.getvalue() and "XSD, EN16931, BR-FR" in out.getvalue()
    # Another tool's file, or a tampered one: the grand total no longer adds up.
    xml = xml_of(invoice).replace(b"<ram:GrandTotalAmount>4320.00",
                                  b"<ram:GrandTotalAmount>4330.00")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(facturx.generate_from_binary(stored_pdf(invoice), xml, check_xsd=False))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("termskit", "einvoice", "check", str(bad), stdout=out)
    # BR-CO-15: grand total = total excl. VAT + VAT; the rule, its message and where.
    assert "INVALID" in out.getvalue()
    assert re.search(r"FATAL BR-CO-15 \[EN16931\] .*", out.getvalue())
    assert "GrandTotalAmount" in out.getvalue() or "Monetary" in out.getvalue()
    xml_file = tmp_path / "bad.xml"
    xml_file.write_bytes(xml)
    with pytest.raises(CommandError):
        call_command("termskit", "einvoice", "check", str(xml_file), stdout=io.StringIO())


def test_einvoice_check_refuses_a_pdf_without_xml(tmp_path, text_pdfs):
    from tests.text_pdf import text_pdf

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(text_pdf(["no invoice here"]))
    with pytest.raises(CommandError, match="no Factur-X / ZUGFeRD XML"):
        call_command("termskit", "einvoice", "check", str(plain), stdout=io.StringIO())


def test_a_schematron_that_cannot_run_is_a_failure_never_a_pass(monkeypatch):
    from terms_kit.einvoicing import validation

    xml = (b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:'
           b'data:standard:CrossIndustryInvoice:100"/>')
    monkeypatch.setattr(validation, "_stylesheet", lambda name: "missing/nothing.xslt")
    monkeypatch.setattr(validation, "_saxon", {})
    report = validation.validate_xml(xml, level="en16931")
    assert not report.valid
    assert {f.rule for f in report.failures if f.check in ("EN16931", "BR-FR")} == {
        "CHECK-NOT-RUN"}
    assert "EN16931" not in report.checks_run and "BR-FR" not in report.checks_run


def test_einvoicing_pdfa3_by_libreoffice_with_the_xml_attached(
        accepted, django_capture_on_commit_callbacks):
    """The real pipeline: LibreOffice exports PDF/A-3b, factur-x attaches the XML."""
    from documents_helpers import fonts_without_embedding, pdfa_identification
    from pypdf import PdfReader

    invoice = _s2_deposit(accepted, django_capture_on_commit_callbacks)
    pdf = stored_pdf(invoice)
    assert pdfa_identification(pdf) == ("3", "B")
    assert fonts_without_embedding(pdf) == []
    reader = PdfReader(io.BytesIO(pdf))
    [attachment] = reader.attachment_list
    assert attachment.name == "factur-x.xml"
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in metadata
    assert "EN 16931" in metadata
    report = validate_xml(xml_of(invoice))
    assert report.valid and report.checks_run == ["XSD", "EN16931", "BR-FR"]


def test_a_pdfa_version_other_than_2_or_3_is_refused_by_every_backend():
    from terms_kit.documents.converters.base import ConversionError
    from terms_kit.documents.converters.cold import ColdSofficeConverter
    from terms_kit.documents.converters.gotenberg import GotenbergConverter
    from terms_kit.documents.converters.pool import LibreOfficePool

    for converter in (ColdSofficeConverter(), GotenbergConverter(url="http://127.0.0.1:9"),
                      LibreOfficePool(size=1)):
        with pytest.raises(ConversionError, match="PDF/A version 4 is not supported"):
            converter.convert(b"PK", pdf_version=4)
