"""VAT on each line (fr-rules.md §9) and the e-invoicing mentions: table-driven, with the
article each finding cites, firing and quiet."""

import datetime

import pytest
from compliance_helpers import edited
from django.utils import translation

from terms_kit.compliance import RULES, check_spec
from terms_kit.vat import line_treatment, vat_category
from terms_kit.vat.einvoicing import einvoicing_problems

ALL_LINES = range(3)  # S2 has three lines


def every_line(**values):
    return {f"engagement.lines[{i}].{key}": value for i in ALL_LINES
            for key, value in values.items()}


REVERSE = every_line(vat_rate="0", vat_exemption="reverse_charge")
BELGIAN_BUSINESS = {"client.address.country": "BE", "client.siren": "",
                    "client.vat_number": "BE0403170701"}

# (case, scenario, changes, rule, field, words of the message, article the rule cites)
FIRING = [
    ("0 % without a reason", "S2", {"engagement.lines[0].vat_rate": "0"}, "tva.reason",
     "engagement.lines[0].vat_exemption", "is not a French rate", "242 nonies A"),
    ("a reason with VAT charged", "S2", {"engagement.lines[0].vat_exemption": "health"},
     "tva.reason", "engagement.lines[0].vat_rate", "set its rate to 0", "242 nonies A"),
    ("the franchise as the reason of a VAT-registered expert", "S2",
     {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "franchise"},
     "tva.reason", "engagement.lines[0].vat_exemption", "VAT franchise", "242 nonies A"),
    ("a German rate", "S2", {"engagement.lines[1].vat_rate": "19"}, "tva.rates",
     "engagement.lines[1].vat_rate", "not a French rate", "278 to 281 nonies"),
    ("8.5 % (overseas rate) on the mainland", "S2", {"engagement.lines[0].vat_rate": "8.5"},
     "tva.rates", "engagement.lines[0].vat_rate", "not a French rate", "278"),
    ("reverse charge without the client's VAT number", "S2",
     {**REVERSE, **BELGIAN_BUSINESS, "client.vat_number": ""}, "tva.b2b_eu",
     "client.vat_number", "intra-EU VAT number", "283-2"),
    ("reverse charge with a Belgian number failing its check", "S2",
     {**REVERSE, **BELGIAN_BUSINESS, "client.vat_number": "BE0403170702"}, "tva.b2b_eu",
     "client.vat_number", "Invalid Belgian VAT number", "283-2"),
    ("reverse charge to a French business", "S2", REVERSE, "tva.b2b_eu",
     "engagement.lines[0].vat_exemption", "established in France", "283-2"),
    ("reverse charge to a consumer", "S3",
     {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "reverse_charge"},
     "tva.b2b_eu", "engagement.lines[0].vat_exemption", "private person", "283-2"),
    ("reverse charge to a Swiss business", "S2",
     {**REVERSE, "client.address.country": "CH", "client.siren": ""}, "tva.b2b_eu",
     "engagement.lines[0].vat_exemption", "not in the EU", "283-2"),
    ("outside the EU for a Belgian client", "S2",
     {**every_line(vat_rate="0", vat_exemption="outside_eu"), **BELGIAN_BUSINESS}, "tva.non_eu",
     "engagement.lines[0].vat_exemption", "BE", "259-1"),
    ("a line taxed in France next to lines outside the EU (EN 16931 BR-O-11)", "S2",
     {**every_line(vat_rate="0", vat_exemption="outside_eu"), "client.address.country": "CH",
      "client.siren": "", "engagement.lines[1].vat_rate": "20",
      "engagement.lines[1].vat_exemption": ""}, "tva.non_eu",
     "engagement.lines[1].vat_exemption", "BR-O-11", "BR-O-11"),
    ("French VAT to a Belgian business", "S2", BELGIAN_BUSINESS, "tva.place",
     "engagement.lines[0].vat_exemption", "established in BE", "259-1"),
    ("art. 259-1 for a consumer outside the EU", "S3",
     {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "outside_eu",
      "client.address.country": "US"}, "tva.place", "engagement.lines[0].vat_exemption",
     "259 B", "259 B"),
    ("2026 mentions: French business without SIREN, service after the start", "S2",
     {"client.siren": "", "identity.einvoicing_from": "2027-01-01"}, "fac.2026_mentions",
     "client.siren", "SIREN", "2022-1299"),
    ("2026 mentions: half a delivery address", "S2",
     {"identity.einvoicing_from": "2026-09-01",
      "engagement.delivery_address": {"line1": "1 quai du Port", "postcode": "", "city": ""}},
     "fac.2026_mentions", "engagement.delivery_address", "delivery address", "2022-1299"),
]

# (case, scenario, changes, rule that must stay quiet)
QUIET = [
    ("franchise lines at 0 % need no reason", "S1", {}, "tva.reason"),
    ("exempt training at 0 %", "S2", every_line(vat_rate="0", vat_exemption="training"),
     "tva.reason"),
    ("the four French rates", "S2", {"engagement.lines[0].vat_rate": "10",
                                      "engagement.lines[1].vat_rate": "5.5",
                                      "engagement.lines[2].vat_rate": "2.1"}, "tva.rates"),
    ("franchise: the rate rule is fac.franchise's", "S1",
     {"engagement.lines[0].vat_rate": "19"}, "tva.rates"),
    ("reverse charge to a Belgian business with its number", "S2",
     {**REVERSE, **BELGIAN_BUSINESS}, "tva.b2b_eu"),
    ("reverse charge to a Belgian business: nothing about the place", "S2",
     {**REVERSE, **BELGIAN_BUSINESS}, "tva.place"),
    ("outside the EU for a Swiss business", "S2",
     {**every_line(vat_rate="0", vat_exemption="outside_eu"), "client.address.country": "CH",
      "client.siren": ""}, "tva.non_eu"),
    ("a foreign business needs no SIREN", "S2",
     {**REVERSE, **BELGIAN_BUSINESS, "identity.einvoicing_from": "2026-01-01"},
     "fac.2026_mentions"),
    ("before the e-invoicing start, no SIREN needed", "S2",
     {"client.siren": "", "identity.einvoicing_from": "2027-09-01"}, "fac.2026_mentions"),
    ("a complete delivery address", "S2",
     {"identity.einvoicing_from": "2026-09-01",
      "engagement.delivery_address": {"line1": "1 quai du Port", "postcode": "13002",
                                      "city": "Marseille", "country": "FR"}},
     "fac.2026_mentions"),
]


def _of(rule_id, spec):
    return [f for f in check_spec(spec) if f.rule_id == rule_id]


@pytest.mark.parametrize(("case", "key", "changes", "rule_id", "field", "words", "article"),
                         FIRING, ids=[row[0] for row in FIRING])
def test_vat_rule_fires_with_its_article(spec, case, key, changes, rule_id, field, words,
                                         article):
    with translation.override("en"):
        found = _of(rule_id, edited(spec(key), changes))
    assert [f.field for f in found] == [field], found
    assert words in found[0].message
    assert article in found[0].source
    assert found[0].severity == RULES[rule_id].severity


@pytest.mark.parametrize(("case", "key", "changes", "rule_id"), QUIET,
                         ids=[row[0] for row in QUIET])
def test_vat_rule_keeps_quiet(spec, case, key, changes, rule_id):
    assert _of(rule_id, edited(spec(key), changes)) == []


def test_missing_reason_and_foreign_rate_are_errors_that_block_sending():
    assert RULES["tva.reason"].severity == "error"
    assert RULES["tva.rates"].severity == "error"
    assert RULES["tva.b2b_eu"].severity == "error"


def test_the_belgian_vat_number_message_is_french_for_a_french_expert(spec):
    data = edited(spec("S2"), {**REVERSE, **BELGIAN_BUSINESS, "client.vat_number": "BE0403170702"})
    with translation.override("fr"):
        (finding,) = _of("tva.b2b_eu", data)
    assert finding.message.startswith("Numéro de TVA belge invalide : ")


# -- what Factur-X reads ------------------------------------------------------------------

CATEGORIES = [
    ("S2", {}, ("S", "", "")),
    ("S1", {}, ("E", "TVA non applicable, art. 293 B du CGI", "VATEX-FR-FRANCHISE")),
    ("S2", {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "training"},
     ("E", "Exonération de TVA, art. 261-4-4° a du CGI", "VATEX-EU-132-1I")),
    ("S2", {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "health"},
     ("E", "Exonération de TVA, art. 261-4-1° du CGI", "VATEX-EU-132-1C")),
    ("S2", {"engagement.lines[0].vat_rate": "0",
            "engagement.lines[0].vat_exemption": "reverse_charge"},
     ("AE", "Autoliquidation : TVA due par le preneur (art. 283-2 du CGI ; art. 196 de la "
            "directive 2006/112/CE)", "VATEX-EU-AE")),
    ("S2", {"engagement.lines[0].vat_rate": "0", "engagement.lines[0].vat_exemption": "outside_eu"},
     ("O", "TVA non applicable – art. 259-1 du CGI", "VATEX-EU-O")),
    ("S2", {"engagement.lines[0].vat_rate": "0"}, ("Z", "", "")),
]


@pytest.mark.parametrize(("key", "changes", "expected"), CATEGORIES)
def test_vat_category_of_a_line(spec, key, changes, expected):
    data = edited(spec(key), changes)
    assert vat_category(data, data["engagement"]["lines"][0]) == expected
    assert line_treatment(data, data["engagement"]["lines"][0]).category == expected[0]


@pytest.mark.parametrize(("key", "changes"), [
    ("S2", {"client.siren": "", "identity.einvoicing_from": "2026-01-01"}),
    ("S2", {"identity.einvoicing_from": "2026-01-01",
            "engagement.delivery_address": {"line1": "", "postcode": "13002", "city": ""}}),
    ("S2", {"client.siren": "", "identity.einvoicing_from": "2026-01-01",
            "client.address.country": "BE"}),
])
def test_invoicing_refuses_on_the_same_grounds_as_the_checker(spec, key, changes):
    """The checker's fac.2026_mentions and the invoice service read the same law."""
    data = edited(spec(key), changes)
    on = datetime.date(2026, 11, 23)
    checker = sorted(f.field for f in _of("fac.2026_mentions", data))
    service = sorted(field for field, _message in einvoicing_problems(data, on))
    assert checker == service


def test_no_2026_mention_is_required_before_the_start(spec):
    data = edited(spec("S2"), {"client.siren": "", "identity.einvoicing_from": "2027-09-01"})
    assert einvoicing_problems(data, datetime.date(2027, 8, 31)) == []
    assert [f for f, _m in einvoicing_problems(data, datetime.date(2027, 9, 1))] == ["client.siren"]


def test_the_default_start_is_the_dated_figure_for_smes(spec):
    data = edited(spec("S2"), {"client.siren": "", "identity.einvoicing_from": None})
    assert einvoicing_problems(data, datetime.date(2027, 8, 31)) == []
    assert einvoicing_problems(data, datetime.date(2027, 9, 1)) != []
