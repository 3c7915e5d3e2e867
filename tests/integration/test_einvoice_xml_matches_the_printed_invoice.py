"""Property: whatever the lines, VAT rates and deposit, the Factur-X XML embedded in an issued
invoice says the same totals as the invoice PDF prints, to the cent: total excl. VAT, VAT,
total incl. VAT, earlier invoices deducted and the net to pay. The invoices are issued by the
payment services and their documents made by the real task body (the PDF text by
tests/text_pdf.py: the figures, not the layout, are under test here)."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.db import transaction
from einvoice_helpers import totals, xml_of
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from payments_helpers import pdf_text

from terms_kit.einvoicing.cii import NSMAP
from terms_kit.einvoicing.validation import validate_xml
from terms_kit.exceptions import SpecError
from terms_kit.services import invoicing, payments
from terms_kit.services.status import change_status
from terms_kit.spec import import_spec
from terms_kit.status import Origin
from tests.conftest import scenario_spec

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
rates = st.sampled_from([D("20.00"), D("10.00"), D("5.50"), D("2.10")])


def french(amount):
    """An amount as the invoices print it: 14 400,00 (any space kind between thousands)."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def printed(text, label):
    """The amount printed after ``label`` (e.g. "Total TTC"), as a Decimal."""
    match = re.search(re.escape(label) + r"\s*:\s*(-?[\d ]+,\d\d)\s*€", text)
    assert match, (label, text[:3000])
    return D(match.group(1).replace(" ", "").replace(",", "."))


def _spec(lines, deposit):
    data = scenario_spec("S2")
    data["engagement"]["lines"] = [
        {"description": f"line {n}", "quantity": f"{qty}.000", "unit": "forfait",
         "unit_price": str(price), "vat_rate": str(rate), "discount_percent": None}
        for n, (price, qty, rate) in enumerate(lines)]
    total = sum((price * qty for price, qty, _rate in lines), D("0"))
    payment = data["engagement"]["payment"]
    payment["deposit_percent"] = str(deposit)
    # Two milestones: the first at a third of the price, the rest on the second.
    first = (total / 3).quantize(D("0.01"))
    payment["milestones"] = [
        {"label": "M1", "amount": str(first), "deliverable": "", "validation": ""},
        {"label": "M2", "amount": str(total - first), "deliverable": "", "validation": ""}]
    return data


def vat_rows(xml):
    """(rate, base, VAT) of each VAT breakdown (BG-23) of the XML."""
    rows = etree.fromstring(xml).xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NSMAP)
    return [(D(row.findtext("ram:RateApplicablePercent", namespaces=NSMAP)),
             D(row.findtext("ram:BasisAmount", namespaces=NSMAP)),
             D(row.findtext("ram:CalculatedAmount", namespaces=NSMAP))) for row in rows]


def _document_of(invoice):
    invoicing.make_document(invoice.pk)
    invoice.refresh_from_db()
    return invoice


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(money, st.integers(1, 3), rates), min_size=1, max_size=2),
       deposit=st.decimals(min_value=D("5"), max_value=D("60"), places=2))
def test_xml_totals_equal_the_printed_totals(text_pdfs, expert, lines, deposit):
    total = sum((price * qty for price, qty, _rate in lines), D("0"))
    assume((total / 3).quantize(D("0.01")) > 0)  # two milestones of a positive amount
    with transaction.atomic():
        try:
            engagement = import_spec(_spec(lines, deposit), expert)
        except SpecError:
            transaction.set_rollback(True)
            assume(False)
        change_status(engagement, "sent", origin=Origin.ACCEPTANCE)
        change_status(engagement, "accepted", origin=Origin.ACCEPTANCE)
        payments.create_schedule(engagement)
        on = datetime.date(2026, 11, 30)
        due = engagement.instalments.get(kind="deposit").amount
        issued = list(payments.record_payment(engagement, amount=due, paid_on=on,
                                              method="transfer").invoices.all())
        for milestone in engagement.milestones.all():
            invoice = payments.mark_milestone_done(engagement, milestone, on=on)
            issued.append(invoice)
            if invoice.net > 0:
                payments.record_payment(engagement, amount=invoice.net, paid_on=on,
                                        method="transfer")
        assert {i.kind for i in issued} == {"deposit", "milestone", "final"}
        for invoice in issued:
            invoice = _document_of(invoice)
            xml = xml_of(invoice)
            report = validate_xml(xml)
            assert report.valid, (invoice.number, [(f.rule, f.message) for f in report.failures])
            figures = totals(xml)
            text = pdf_text(invoice)
            assert printed(text, "Total HT") == figures["TaxBasisTotalAmount"]
            assert printed(text, "Total TTC") == figures["GrandTotalAmount"]
            flat = re.sub(r"\s", " ", text)
            rows = vat_rows(xml)
            assert sum(vat for _rate, _base, vat in rows) == figures["TaxTotalAmount"]
            for rate, base, vat in rows:
                shown = f"{rate.normalize():f}".replace(".", ",")
                # "TVA à 20 % sur 12 000,00 € : 2 400,00 €" (invoices), or the deposit
                # invoice's table row "20 % | 3 600,00 € | 720,00 € | 4 320,00 €".
                assert (f"TVA à {shown} % sur {french(base)} € : {french(vat)} €" in flat
                        or f"{shown} % | {french(base)} € | {french(vat)} € | "
                           f"{french(base + vat)} €" in flat), (rate, base, vat, flat[:3000])
            if invoice.kind != "deposit":  # the deposit invoice is paid on issue
                assert printed(text, "Net à payer") == figures["DuePayableAmount"]
                assert figures["TotalPrepaidAmount"] == invoice.deducted
        transaction.set_rollback(True)
