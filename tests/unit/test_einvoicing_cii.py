"""The CII XML built from an invoice snapshot, without the database: the totals equal the
snapshot's to the cent for any amount and VAT rates (hypothesis), every invoice kind passes
the XSD and the schematrons, and each VAT treatment (vat.vat_treatment) gives its category
and reason: standard, franchise (E), reverse charge (AE), outside the scope of VAT (O)."""

import datetime
from decimal import Decimal as D

import pytest
from einvoice_helpers_unit import snapshot_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from terms_kit.einvoicing.cii import NSMAP, EInvoiceDataError, build_cii
from terms_kit.einvoicing.validation import validate_xml
from terms_kit.einvoicing.vat import vat_treatment
from terms_kit.vat.treatments import mention_of

FRANCHISE_REASON = mention_of("franchise")
from tests.conftest import scenario_spec

SUMMATION = ("//ram:ApplicableHeaderTradeSettlement/"
             "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:")


def xpath(xml, path):
    return [node.text for node in etree.fromstring(xml).xpath(path, namespaces=NSMAP)]


def total(xml, name):
    return D(xpath(xml, SUMMATION + name)[0])


def assert_valid(xml):
    report = validate_xml(xml)
    assert report.checks_run == ["XSD", "EN16931", "BR-FR"]
    assert report.valid, [(f.rule, f.message, f.location) for f in report.failures]


RATES = st.sets(st.sampled_from([D("20.00"), D("10.00"), D("5.50"), D("2.10")]),
                min_size=1, max_size=3)
AMOUNTS = st.decimals(min_value=D("0.05"), max_value=D("250000.00"), places=2)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rates=RATES, amount=AMOUNTS, kind=st.sampled_from(["deposit", "milestone",
                                                          "credit_note"]),
       deducted_share=st.sampled_from([D("0"), D("0.3"), D("1")]))
def test_xml_totals_equal_the_snapshot_to_the_cent_and_validate(rates, amount, kind,
                                                                 deducted_share):
    snapshot = snapshot_for(scenario_spec("S2"), kind, amount, sorted(rates), deducted_share)
    figures = snapshot["extras"]["invoice"]
    xml = build_cii(snapshot)
    paid = D(figures.get("paid") or 0)
    assert total(xml, "TaxBasisTotalAmount") == D(figures["excl_vat"])
    assert total(xml, "LineTotalAmount") == D(figures["excl_vat"])
    assert total(xml, "TaxTotalAmount") == D(figures["vat"])
    assert total(xml, "GrandTotalAmount") == D(figures["incl_vat"])
    assert total(xml, "TotalPrepaidAmount") == D(figures["deducted"]) + paid
    assert total(xml, "DuePayableAmount") == D(figures["net"]) - paid
    bases = xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                       "ram:BasisAmount")
    assert sum(D(b) for b in bases) == D(figures["excl_vat"])
    assert_valid(xml)


@pytest.mark.parametrize("kind", ["deposit", "milestone", "final", "act", "credit_note"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_kind_validates_in_both_languages(kind, lang):
    spec = scenario_spec("S2")
    spec["engagement"]["language"] = lang
    xml = build_cii(snapshot_for(spec, kind, D("4320.00"), [D("20.00")], D("0.3")))
    assert_valid(xml)
    notes = " ".join(xpath(xml, "//ram:IncludedNote/ram:Content"))
    assert ("Indemnité forfaitaire" if lang == "fr" else "Fixed indemnity") in notes


def test_a_receipt_or_an_unnumbered_preview_is_not_an_einvoice():
    snapshot = snapshot_for(scenario_spec("S2"), "deposit", D("100.00"), [D("20.00")], D("0"))
    snapshot["extras"]["invoice"]["kind"] = "receipt"
    with pytest.raises(EInvoiceDataError, match="not an e-invoice"):
        build_cii(snapshot)
    snapshot["extras"]["invoice"]["number"] = ""
    with pytest.raises(EInvoiceDataError, match="no invoice number"):
        build_cii(snapshot)


def test_franchise_seller_invoice_is_exempt_with_article_293_b():
    spec = scenario_spec("S1")  # franchise en base, consumer client
    xml = build_cii(snapshot_for(spec, "final", D("60.00"), [D("0")], D("0")))
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:CategoryCode") == ["E"]
    assert xpath(xml, "//ram:ApplicableTradeTax/ram:ExemptionReason") == [FRANCHISE_REASON]
    assert xpath(xml, "//ram:ApplicableTradeTax/ram:ExemptionReasonCode") == [
        "VATEX-FR-FRANCHISE"]
    assert total(xml, "TaxTotalAmount") == 0
    assert_valid(xml)


def _eu_business_client(spec, country, vat_number, exemption):
    """A VAT-registered expert's service to a business abroad, each line at 0 % with the
    exemption that says why (the checker refuses a 0 % line without one)."""
    spec["identity"]["vat_regime"] = "normal"
    spec["client"].update(kind="business", name="Kunde GmbH", vat_number=vat_number,
                          siren="")
    spec["client"]["address"] = {"line1": "Hauptstraße 1", "postcode": "10115",
                                 "city": "Berlin", "country": country}
    for line in spec["engagement"]["lines"]:
        line.update(vat_rate="0.00", vat_exemption=exemption)
    return spec


def test_reverse_charge_invoice_to_an_eu_business_is_ae_and_validates():
    spec = _eu_business_client(scenario_spec("S2"), "DE", "DE136695976", "reverse_charge")
    assert vat_treatment(spec, D("0"), "reverse_charge").category == "AE"
    xml = build_cii(snapshot_for(spec, "milestone", D("4000.00"), [D("0")], D("0")))
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:CategoryCode") == ["AE"]
    assert xpath(xml, "//ram:ApplicableTradeTax/ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    assert "Autoliquidation" in xpath(xml, "//ram:ApplicableTradeTax/ram:ExemptionReason")[0]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        "DE136695976"]
    assert total(xml, "TaxTotalAmount") == 0 and total(xml, "GrandTotalAmount") == D("4000.00")
    assert_valid(xml)


def test_a_breakdown_takes_the_category_of_its_own_exemption():
    spec = scenario_spec("S2")  # a VAT-registered expert: 0 % with no reason is Z
    assert vat_treatment(spec, D("0")).category == "Z"
    treatment = vat_treatment(spec, D("0"), "reverse_charge")
    assert (treatment.category, treatment.reason_code) == ("AE", "VATEX-EU-AE")
    assert vat_treatment(spec, D("20.00")).category == "S"


# (exemption, category, VATEX, rules of EN 16931 that decide the identifiers): fr-rules.md
# section 9 (tva.non_eu, tva.b2b_eu) and CGI 293 B.
OUTSIDE_AND_FRANCHISE = [
    ("outside_eu", "O", "VATEX-EU-O", "BR-O-02 no VAT ids, BR-O-05 no line rate"),
    ("reverse_charge", "AE", "VATEX-EU-AE", "BR-AE-02 seller and buyer VAT ids"),
]


@pytest.mark.parametrize(("exemption", "category", "vatex", "rules"), OUTSIDE_AND_FRANCHISE)
@pytest.mark.parametrize("kind", ["deposit", "milestone", "final", "credit_note"])
def test_service_abroad_category_and_identifiers_validate(exemption, category, vatex, rules,
                                                           kind):
    country, number = (("CH", "CHE116281710") if exemption == "outside_eu"
                       else ("DE", "DE136695976"))
    spec = _eu_business_client(scenario_spec("S2"), country, number, exemption)
    treatment = vat_treatment(spec, D("0"), exemption)
    assert (treatment.category, treatment.reason_code) == (category, vatex)
    xml = build_cii(snapshot_for(spec, kind, D("1000.00"), [D("0")], D("0")))
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:CategoryCode") == [category]
    vat_ids = xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
    line_rates = xpath(xml, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                            "ram:RateApplicablePercent")
    if category == "O":
        assert vat_ids == [] and line_rates == [], rules
        # No FC fallback either: BR-O-* asks for no tax registration, the SIREN says who.
        assert xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID") == []
    else:
        assert vat_ids == [spec["identity"]["vat_number"].replace(" ", ""), number], rules
    assert_valid(xml)


def test_franchise_seller_without_vat_number_is_identified_by_its_siren():
    """CGI 293 B: no VAT number. BT-30 is the SIREN (scheme 0002, BR-FR-10); BR-E-02 asks
    a seller VAT id or tax registration on an exempt invoice: the SIREN as BT-32 (FC)."""
    spec = scenario_spec("S1")
    spec["identity"]["vat_number"] = ""
    xml = build_cii(snapshot_for(spec, "deposit", D("120.00"), [D("0")], D("0")))
    seller = "//ram:SellerTradeParty/"
    assert xpath(xml, seller + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
        spec["identity"]["siren"]]
    assert xpath(xml, seller + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == []
    assert xpath(xml, seller + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == [
        spec["identity"]["siren"]]
    assert xpath(xml, "//ram:ApplicableTradeTax/ram:ExemptionReasonCode") == [
        "VATEX-FR-FRANCHISE"]
    assert_valid(xml)
    # Without it, BR-E-02 fails: the rule is real, not assumed.
    broken = xml.replace(b'<ram:SpecifiedTaxRegistration>\n          <ram:ID schemeID="FC">'
                         + spec["identity"]["siren"].encode() + b'</ram:ID>\n'
                         b'        </ram:SpecifiedTaxRegistration>', b"")
    assert broken != xml
    assert "BR-E-02" in {finding.rule for finding in validate_xml(broken).failures}


def test_a_vat_registered_seller_never_gets_the_siren_as_tax_registration():
    xml = build_cii(snapshot_for(scenario_spec("S2"), "milestone", D("100.00"), [D("20.00")],
                                 D("0")))
    assert xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == []


def test_a_broken_total_is_reported_with_its_rule():
    xml = build_cii(snapshot_for(scenario_spec("S2"), "milestone", D("1200.00"),
                                 [D("20.00")], D("0")))
    assert b"<ram:GrandTotalAmount>1440.00<" in xml  # 1 200.00 excl. VAT + 20 %
    broken = xml.replace(b"<ram:GrandTotalAmount>1440.00", b"<ram:GrandTotalAmount>1440.01")
    report = validate_xml(broken)
    assert not report.valid
    assert "BR-CO-15" in {finding.rule for finding in report.failures}


def test_an_xsd_error_is_reported_not_hidden():
    xml = build_cii(snapshot_for(scenario_spec("S2"), "deposit", D("100.00"), [D("20.00")],
                                 D("0")))
    broken = xml.replace(b"<ram:TypeCode>386</ram:TypeCode>",
                         b"<ram:TypeCode>386</ram:TypeCode><ram:Bogus>1</ram:Bogus>")
    report = validate_xml(broken)
    assert not report.valid and any(f.check == "XSD" for f in report.failures)


def test_dates_are_in_format_102():
    xml = build_cii(snapshot_for(scenario_spec("S2"), "milestone", D("100.00"), [D("20.00")],
                                 D("0")))
    issue = datetime.date.today().strftime("%Y%m%d")
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == [issue]


def test_rows_with_an_exemption_keep_their_own_breakdown_and_reason():
    spec = _eu_business_client(scenario_spec("S2"), "DE", "DE136695976", "reverse_charge")
    snapshot = snapshot_for(spec, "milestone", D("1000.00"), [D("0")], D("0"))
    figures = snapshot["extras"]["invoice"]
    exempt = dict(figures["rows"][0], base="200.00", vat="0.00", exemption="training")
    figures["rows"] = [dict(figures["rows"][0], base="800.00", exemption="reverse_charge"),
                       exempt]
    xml = build_cii(snapshot)
    categories = xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                            "ram:CategoryCode")
    assert categories == ["AE", "E"]
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:ExemptionReasonCode") == ["VATEX-EU-AE", "VATEX-EU-132-1I"]
    assert [D(b) for b in xpath(xml, "//ram:ApplicableHeaderTradeSettlement/"
                                     "ram:ApplicableTradeTax/ram:BasisAmount")] == [
        D("800.00"), D("200.00")]
    assert_valid(xml)


def test_operation_category_vat_on_debits_and_delivery_address():
    spec = scenario_spec("S2")
    spec["identity"]["vat_on_debits"] = True
    spec["engagement"]["operation_category"] = "mixed"
    spec["engagement"]["delivery_address"] = {"line1": "2 quai du Port", "postcode": "13002",
                                              "city": "Marseille", "country": "FR"}
    xml = build_cii(snapshot_for(spec, "milestone", D("1000.00"), [D("20.00")], D("0")))
    assert xpath(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == [
        "M1"]
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                      "ram:DueDateTypeCode") == ["5"]  # VAT due on the invoice date
    assert xpath(xml, "//ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CityName") == [
        "Marseille"]
    assert_valid(xml)
    # Same address as the client's: no delivery address.
    spec["engagement"]["delivery_address"] = dict(spec["client"]["address"])
    xml = build_cii(snapshot_for(spec, "milestone", D("1000.00"), [D("20.00")], D("0")))
    assert xpath(xml, "//ram:ShipToTradeParty") == []
