"""VAT reasons end to end: spec -> database -> checker -> invoice service -> DOCX and PDF text.

Runs on SQLite and PostgreSQL. The PDF test uses the real LibreOffice pool.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from documents_helpers import NBSP, docx_text, eur_fr, flat, pdf_text

from terms_kit.compliance import check_engagement
from terms_kit.documents import generation
from terms_kit.documents.converters.pool import LibreOfficePool
from terms_kit.exceptions import InvoiceNotIssuable
from terms_kit.models import Invoice, NumberSequence
from terms_kit.models.payments import InvoiceKind
from terms_kit.services import invoicing
from terms_kit.spec import export_engagement, import_spec, validate_spec
from tests.unit.compliance_helpers import edited

pytestmark = pytest.mark.django_db

AUTOLIQUIDATION = ("Autoliquidation : TVA due par le preneur (art. 283-2 du CGI ; art. 196 de "
                   "la directive 2006/112/CE)")
REVERSE_CHARGE_EN = "Reverse charge: VAT due by the customer (Autoliquidation"


def belgian_reverse_charge(spec):
    """S2 for a business established in Brussels: every line reverse-charged."""
    data = edited(spec("S2"), {
        "client.address.country": "BE", "client.address.postcode": "1000",
        "client.address.city": "Bruxelles", "client.siren": "", "client.vat_number": "BE0403170701",
    })
    for line in data["engagement"]["lines"]:
        line["vat_rate"], line["vat_exemption"] = "0", "reverse_charge"
    return data


def vat_findings(engagement):
    return [f for f in check_engagement(engagement)
            if f.rule_id.startswith("tva.") or f.rule_id == "fac.2026_mentions"]


def text(spec, kind, lang="fr", extras=None):
    return docx_text(generation.render(spec, kind, lang, extras).docx)


def test_reverse_charge_from_spec_to_documents(spec, expert):
    data = belgian_reverse_charge(spec)
    assert validate_spec(data) == []
    engagement = import_spec(data, expert)
    assert [line.vat_exemption for line in engagement.lines.all()] == ["reverse_charge"] * 3
    assert vat_findings(engagement) == []
    exported = export_engagement(engagement)
    for kind in ("quote", "deposit_invoice", "final_invoice", "milestone_invoice", "credit_note"):
        printed = text(exported, kind)
        assert AUTOLIQUIDATION in printed, kind
        # The client has no SIREN, yet its VAT number is printed (it was not, before).
        assert "N° TVA intracommunautaire BE0403170701" in printed, kind
        assert "TVA à 0" not in printed and f"| 0{NBSP}% |" not in printed, kind
    quote = text(exported, "quote")
    assert "| Autoliquidation |" in quote  # the VAT column of the lines table
    assert eur_fr("Autoliquidation (base HT 12 000,00 €)") in quote
    assert quote.count(AUTOLIQUIDATION) == 1  # the mention once, after the totals
    assert eur_fr("Total TTC : 12 000,00 €") in quote
    english = text(exported, "final_invoice", "en")
    assert REVERSE_CHARGE_EN in english and "VAT no. BE0403170701" in english


def test_a_zero_line_without_reason_is_an_error_and_no_document_says_tva_0(spec, expert):
    data = edited(spec("S2"), {"engagement.lines[2].vat_rate": "0"})
    engagement = import_spec(data, expert)
    (finding,) = vat_findings(engagement)
    assert (finding.rule_id, finding.field, finding.severity) == (
        "tva.reason", "engagement.lines[2].vat_exemption", "error")
    assert "242 nonies A" in finding.source


def test_exempt_training_line_next_to_a_taxed_line(spec, expert):
    data = edited(spec("S2"), {"engagement.lines[2].vat_rate": "0",
                               "engagement.lines[2].vat_exemption": "training"})
    engagement = import_spec(data, expert)
    assert vat_findings(engagement) == []
    printed = text(export_engagement(engagement), "quote")
    assert eur_fr("TVA à 20 % sur 10 000,00 € : 2 000,00 €") in printed
    assert eur_fr("Exonérée (base HT 2 000,00 €)") in printed
    assert "Exonération de TVA, art. 261-4-4° a du CGI" in printed
    assert "| Exonérée |" in printed
    assert eur_fr("Total TTC : 14 000,00 €") in printed


def test_invoice_rows_keep_the_reason_and_print_it(spec, expert):
    data = edited(spec("S2"), {"engagement.lines[2].vat_rate": "0",
                               "engagement.lines[2].vat_exemption": "health"})
    engagement = import_spec(data, expert)
    on = datetime.date(2026, 11, 30)
    with transaction.atomic():
        invoice = invoicing.issue_final_invoice(engagement, None, on)
    rows = [{key: (Decimal(value) if key != "exemption" else value)
             for key, value in row.items()} for row in invoice.snapshot["rows"]]
    assert rows == [  # one row per (rate, reason), the reason kept only where there is one
        {"rate": 0, "base": 2000, "vat": 0, "exemption": "health"},
        {"rate": 20, "base": 10000, "vat": 2000},
    ]
    printed = text(export_engagement(engagement), "final_invoice",
                   extras={"invoice": invoice.snapshot})
    assert "Exonération de TVA, art. 261-4-1° du CGI" in printed
    assert "Catégorie d'opération : prestation de services." in printed


def test_deposit_split_keeps_reverse_charge_rows_apart_from_taxed_ones(spec, expert):
    data = belgian_reverse_charge(spec)
    engagement = import_spec(data, expert)
    rows = invoicing.rows_from_incl_vat("3600.00", engagement.totals.breakdown)
    assert rows == [{"rate": 0, "base": 3600, "vat": 0, "exemption": "reverse_charge"}]


def test_the_2026_mentions_on_invoices(spec, expert):
    data = edited(spec("S2"), {"identity.vat_on_debits": True,
                               "engagement.operation_category": "mixed",
                               "engagement.delivery_address": {
                                   "line1": "Entrepôt 4, quai du Port", "line2": "",
                                   "postcode": "13002", "city": "Marseille", "country": "FR"}})
    engagement = import_spec(data, expert)
    exported = export_engagement(engagement)
    assert exported["engagement"]["delivery_address"]["city"] == "Marseille"
    for kind in ("deposit_invoice", "final_invoice", "credit_note"):
        printed = text(exported, kind)
        assert "Option pour le paiement de la taxe d'après les débits." in printed
        assert ("Catégorie d'opération : mixte (livraison de biens et prestation de services)."
                in printed)
        assert "Adresse de livraison : Entrepôt 4, quai du Port, 13002 Marseille" in printed
    assert "débits" not in text(exported, "quote")


def test_invoice_refused_from_the_einvoicing_date_without_the_client_siren(spec, expert):
    data = edited(spec("S2"), {"client.siren": "", "identity.einvoicing_from": "2026-09-01"})
    engagement = import_spec(data, expert)
    with pytest.raises(InvoiceNotIssuable) as raised, transaction.atomic():
        invoicing.issue_final_invoice(engagement, None, datetime.date(2026, 11, 30))
    assert [path for path, _message in raised.value.problems] == ["client.siren"]
    assert "SIREN" in str(raised.value)
    assert not Invoice.objects.exists()
    assert not NumberSequence.objects.filter(series="invoice").exists()  # no number taken
    # Before the start date the same invoice is issued.
    with transaction.atomic():
        invoice = invoicing.issue_final_invoice(engagement, None, datetime.date(2026, 8, 31))
    assert invoice.kind == InvoiceKind.FINAL


@pytest.fixture(scope="module")
def pool():
    converter = LibreOfficePool(size=1, fallback=False)
    yield converter
    converter.close()


def test_reverse_charge_invoice_pdf_prints_the_mention_and_the_vat_number(spec, expert, pool):
    engagement = import_spec(belgian_reverse_charge(spec), expert)
    pdf = pool.convert(generation.render(export_engagement(engagement), "final_invoice").docx)
    printed = flat(pdf_text(pdf))
    assert "Autoliquidation : TVA due par le preneur" in printed
    assert "BE0403170701" in printed
    assert "TVA à 0" not in printed
