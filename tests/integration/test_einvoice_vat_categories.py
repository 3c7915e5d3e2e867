"""The VAT category of an e-invoice end to end, with the real LibreOffice pool:
spec -> database -> checker -> invoice service -> Factur-X PDF/A-3 -> XSD + EN 16931 + BR-FR.

Table-driven over fr-rules.md section 9 (tva.non_eu, tva.b2b_eu) and the franchise
(CGI 293 B): each row says the category (UNTDID 5305), the exemption code (VATEX), the
seller's and buyer's identifiers the XML must carry, and the EN 16931 rules that decide them.
Runs on SQLite and PostgreSQL.
"""

import datetime

import pytest
from django.db import transaction
from einvoice_helpers import first, stored_pdf, xml_of
from lxml import etree

from terms_kit.compliance import check_engagement
from terms_kit.documents.converters.pool import LibreOfficePool
from terms_kit.einvoicing.cii import NSMAP
from terms_kit.einvoicing.validation import validate_xml
from terms_kit.services import invoicing
from terms_kit.spec import import_spec
from tests.unit.compliance_helpers import edited

pytestmark = pytest.mark.django_db

SELLER = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
BUYER = "//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/"
BREAKDOWN = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"


def swiss_business(spec):
    """S2 for a business established in Geneva: a service supplied outside France
    (CGI 259-1°), every line with the reason "client outside the EU"."""
    data = edited(spec("S2"), {
        "client.address.country": "CH", "client.address.postcode": "1204",
        "client.address.city": "Genève", "client.siren": "",
        "client.vat_number": ""})
    for line in data["engagement"]["lines"]:
        line["vat_rate"], line["vat_exemption"] = "0", "outside_eu"
    return data


def franchise_without_vat_number(spec):
    """S1: an expert under the franchise (CGI 293 B) with a SIREN and no VAT number."""
    data = spec("S1")
    assert data["identity"]["vat_regime"] == "franchise"
    data["identity"]["vat_number"] = ""
    return data


def texts(xml, path):
    return [node.text for node in etree.fromstring(xml).xpath(path, namespaces=NSMAP)]


# (case, spec builder, category, VATEX, seller VAT (BT-31), seller tax registration (BT-32),
#  buyer VAT (BT-48), line rate present (BT-152), the rules that decide it)
CASES = [
    ("service to a business outside the EU", swiss_business, "O", "VATEX-EU-O",
     [], [], [], False,
     "CGI 259-1°; BR-O-02 (no BT-31/BT-48), BR-O-05 (no rate), BR-O-10 (VATEX-EU-O)"),
    ("franchise seller without a VAT number", franchise_without_vat_number, "E",
     "VATEX-FR-FRANCHISE", [], ["123456782"], [], True,
     "CGI 293 B; BR-E-02 (BT-31 or BT-32), BR-E-05 (rate 0), BR-FR-10 (SIREN 0002)"),
]


@pytest.fixture(scope="module")
def pool():
    converter = LibreOfficePool(size=1, fallback=False)
    yield converter
    converter.close()


@pytest.mark.parametrize(
    ("case", "build", "category", "vatex", "seller_vat", "seller_tax", "buyer_vat",
     "line_rate", "rules"), CASES, ids=[row[0] for row in CASES])
def test_vat_category_from_spec_to_a_valid_facturx(spec, expert, pool, case, build, category,
                                                   vatex, seller_vat, seller_tax, buyer_vat,
                                                   line_rate, rules):
    data = build(spec)
    engagement = import_spec(data, expert)
    assert [f for f in check_engagement(engagement)
            if f.rule_id.startswith("tva.") and f.severity == "error"] == []
    with transaction.atomic():
        invoice = invoicing.issue_final_invoice(engagement, None, datetime.date.today())
    document = invoicing.make_document(invoice.pk, converter=pool)
    assert stored_pdf(invoice)[:5] == b"%PDF-"
    xml = xml_of(invoice)
    report = validate_xml(xml)
    assert report.checks_run == ["XSD", "EN16931", "BR-FR"], rules
    assert report.valid, (rules, [(f.rule, f.message) for f in report.failures])
    assert texts(xml, BREAKDOWN + "ram:CategoryCode") == [category]
    assert texts(xml, BREAKDOWN + "ram:ExemptionReasonCode") == [vatex]
    assert texts(xml, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:CategoryCode") == [category] * len(data["engagement"]["lines"])
    assert bool(texts(xml, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                           "ram:RateApplicablePercent")) is line_rate
    # The seller is identified by its SIREN (BT-30, ISO 6523 scheme 0002) in every case.
    assert texts(xml, SELLER + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
        data["identity"]["siren"]]
    assert texts(xml, SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == (
        seller_vat)
    assert texts(xml, SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == (
        seller_tax)
    assert texts(xml, BUYER + "ram:SpecifiedTaxRegistration/ram:ID") == buyer_vat
    assert document.pdf_sha256 == invoice.document.pdf_sha256


def test_outside_the_eu_keeps_the_seller_vat_number_in_a_note_and_on_the_pdf(spec, expert,
                                                                             pool):
    """BR-O-02 bars BT-31 from an "O" invoice; CGI ann. II 242 nonies A (2°) still wants the
    seller's VAT number on the invoice: the PDF prints it, the XML says it in a REG note."""
    from payments_helpers import pdf_text

    data = swiss_business(spec)
    engagement = import_spec(data, expert)
    with transaction.atomic():
        invoice = invoicing.issue_final_invoice(engagement, None, datetime.date.today())
    invoicing.make_document(invoice.pk, converter=pool)
    xml = xml_of(invoice)
    number = data["identity"]["vat_number"]
    notes = texts(xml, "//ram:IncludedNote[ram:SubjectCode='REG']/ram:Content")
    assert f"Numéro de TVA du vendeur : {number}" in notes
    assert "259-1" in first(xml, BREAKDOWN + "ram:ExemptionReason")
    printed = pdf_text(invoice)
    assert number in printed.replace(" ", "")
    assert "art. 259-1 du CGI" in printed
    # Breaking BR-O-02 on purpose is caught by the EN 16931 schematron.
    tree = etree.fromstring(xml)
    party = tree.xpath(SELLER[:-1], namespaces=NSMAP)[0]
    registration = etree.SubElement(party, f"{{{NSMAP['ram']}}}SpecifiedTaxRegistration")
    etree.SubElement(registration, f"{{{NSMAP['ram']}}}ID", schemeID="VA").text = number
    report = validate_xml(etree.tostring(tree))
    assert "BR-O-02" in {finding.rule for finding in report.failures}
