"""Every rule fires on a bad engagement and keeps quiet on the nearest good one.

Each row: rule id, the field the finding must point at, a scenario and the changes that make
the rule fire, then a scenario and changes that must keep it quiet (a near miss where possible).
"""

import pytest
from compliance_helpers import edited
from django.utils import translation

from terms_kit.compliance import RULES, check_spec

OLD_CGV = ("# Rétractation\nLe client consommateur dispose de quatorze jours pour exercer son "
           "droit de rétractation.\n# Prix et paiement\nPrix au devis.\n")
H1_2026 = {"engagement.issue_date": "2026-03-02"}
OFF_PREMISES_SMALL = {"engagement.channel": "off_premises", "client.headcount": 4,
                      "client.outside_core_activity": True}

# Every line of S2 reverse-charged, for a business established in Belgium.
REVERSE_CHARGE_S2 = {"client.address.country": "BE", "client.siren": "",
                     **{f"engagement.lines[{i}].vat_rate": "0" for i in range(3)},
                     **{f"engagement.lines[{i}].vat_exemption": "reverse_charge" for i in range(3)}}

TABLE = [
    # rule id, field, (fire scenario, changes), (quiet scenario, changes)
    ("devis.identity_ei", "identity.legal_name",
     ("S1", {"identity.legal_name": "Claire Martin"}),
     ("S1", {"identity.legal_name": "Claire Martin, Entrepreneur individuel"})),
    ("devis.b2c_precontract", "identity.phone",
     ("S1", {"identity.phone": " "}), ("S2", {"identity.phone": ""})),
    ("devis.insurance", "identity.insurance.insurer",
     ("S5", {"identity.insurance.insurer": ""}), ("S1", {"identity.insurance.insurer": ""})),
    ("devis.validity_date", "engagement.validity_date",
     ("S2", {"engagement.validity_date": None}),
     ("S2", {"engagement.validity_date": "2026-11-23"})),
    ("data.lines", "engagement.lines[0].quantity",
     ("S2", {"engagement.lines[0].quantity": "-1", "engagement.payment.model": "on_completion",
             "engagement.payment.milestones": []}),
     ("S2", {"engagement.lines[0].quantity": "0.001", "engagement.payment.model": "on_completion",
             "engagement.payment.milestones": []})),
    ("data.payment_plan", "engagement.payment.milestones",
     ("S2", {"engagement.payment.milestones[2].amount": "1999.99"}), ("S2", {})),
    ("devis.deposit_label", "engagement.payment.deposit_label",
     ("S5", {"engagement.payment.deposit_label": ""}),
     ("S2", {"engagement.payment.deposit_label": ""})),
    ("b2c.prepay_interest", "engagement.payment.model",
     ("S3", {}), ("S3", {"engagement.payment.time_credit_validity_months": 3})),
    ("b2c.unfair.credit_kept", "engagement.payment.unused_credit",
     ("S3", {"engagement.payment.unused_credit": "kept"}),
     ("S3", {"engagement.payment.unused_credit": "kept", "client.kind": "business",
             "client.siren": "732829320"})),
    ("b2c.withdrawal", "terms", ("S1", {"terms": None}), ("S5", {"terms": None})),
    ("b2c.withdrawal.text", "terms.body",
     ("S1", {"terms.body": "# Prix et paiement\nPrix au devis."}),
     ("S2", {"terms.body": "# Prix et paiement\nPrix au devis."})),
    ("b2c.button", "terms.body",
     ("S1", {"terms.body": OLD_CGV}),
     ("S1", {"terms.body": OLD_CGV, "engagement.issue_date": "2026-06-18",
             "engagement.start_date": "2026-06-20"})),
    ("b2c.early_start", "engagement.early_start_requested",
     ("S1", {"engagement.early_start_requested": False}),
     ("S1", {"engagement.early_start_requested": False, "engagement.start_date": "2026-12-07"})),
    ("b2c.offprem_7d", "engagement.payment.model",
     ("S1", {"engagement.channel": "off_premises"}),
     ("S1", {"engagement.channel": "off_premises", "engagement.payment.model": "on_completion",
             "engagement.start_date": "2026-12-01"})),
    ("b2c.mediator", "identity.mediator.name",
     ("S1", {"identity.mediator.name": ""}), ("S2", {"identity.mediator.name": ""})),
    ("dun.b2c_fees", "engagement.payment.recovery_indemnity",
     ("S1", {"engagement.payment.recovery_indemnity": "40.00"}), ("S2", {})),
    ("dun.b2c_fees.text", "engagement.cancellation_terms",
     ("S1", {"engagement.cancellation_terms": "Frais de recouvrement : 40 EUR."}),
     ("S2", {"engagement.cancellation_terms": "Frais de recouvrement : 40 EUR."})),
    ("b2b.tpe_offpremises", "client.headcount",
     ("S2", OFF_PREMISES_SMALL), ("S2", {**OFF_PREMISES_SMALL, "client.headcount": 6})),
    ("b2b.tpe_offpremises.headcount", "client.headcount",
     ("S2", {**OFF_PREMISES_SMALL, "client.headcount": None}),
     ("S2", {**OFF_PREMISES_SMALL, "client.headcount": None, "engagement.channel": "on_premises"})),
    ("b2b.term_max", "engagement.payment.due_days",
     ("S2", {"engagement.payment.due_days": 61}), ("S2", {"engagement.payment.due_days": 60})),
    ("b2b.penalty_rate", "engagement.payment.late_penalty_rate",
     ("S2", {**H1_2026, "engagement.payment.late_penalty_rate": "7.85"}),
     ("S2", {**H1_2026, "engagement.payment.late_penalty_rate": "7.86"})),
    ("b2b.indemnity", "engagement.payment.recovery_indemnity",
     ("S2", {"engagement.payment.recovery_indemnity": None}),
     ("S1", {"engagement.payment.recovery_indemnity": None})),
    ("fac.b2b_terms", "engagement.payment.due_days",
     ("S2", {"engagement.payment.due_days": None}), ("S1", {"engagement.payment.due_days": None})),
    ("fac.core", "client.address",
     ("S2", {"client.address.city": ""}), ("S1", {"client.address.city": ""})),
    ("fac.franchise", "engagement.lines[0].vat_rate",
     ("S1", {"engagement.lines[0].vat_rate": "20.00"}), ("S3", {})),
    ("fac.franchise_limit", "identity.vat_regime",
     ("S1", {"engagement.lines[0].unit_price": "41250.01"}),
     ("S1", {"engagement.lines[0].unit_price": "41250.00"})),
    ("fac.2026_mentions", "client.siren",
     ("S2", {"identity.einvoicing_from": "2026-09-01", "client.siren": ""}),
     ("S2", {"identity.einvoicing_from": None, "client.siren": ""})),
    ("prof.avocat", "engagement.fee_agreement.basis",
     ("S5", {"engagement.fee_agreement.basis": "success_only"}),
     # The title's wording no longer decides: a fee agreement answered in data passes.
     ("S5", {"engagement.title": "Rédaction d'un bail commercial"})),
    ("prof.avocat.text", "engagement.title",
     ("S5", {"engagement.title": "Bail commercial, sans convention d'honoraires"}), ("S5", {})),
    ("b2c.penalty_clause", "engagement.payment.late_penalty_rate",
     ("S1", {"engagement.payment.late_penalty_rate": "5.00"}), ("S2", {})),
    ("b2c.penalty_clause.excessive", "engagement.payment.late_penalty_rate",
     ("S1", {**H1_2026, "engagement.payment.late_penalty_rate": "12.16"}),
     ("S1", {**H1_2026, "engagement.payment.late_penalty_rate": "12.15"})),
    ("prof.ec", "engagement.title",
     ("S2", {"identity.profession": "accountant"}),
     ("S2", {"identity.profession": "accountant", "engagement.title": "Lettre de mission"})),
    ("prof.sante", "engagement.lines",
     ("S3", {"identity.profession": "health"}), ("S1", {"identity.profession": "health"})),
    ("prof.formation", "engagement.payment.milestones[0].amount",
     ("S6", {"engagement.payment.milestones[0].amount": "360.01",
             "engagement.payment.milestones[1].amount": "419.99"}), ("S6", {})),
    ("prof.formation.text", "engagement.cancellation_terms",
     # The default consumer CGV states the 10 days: the finding needs a text that does not.
     ("S6", {"engagement.cancellation_terms": "", "terms.body": OLD_CGV}), ("S6", {})),
    ("b2b.cgv_content", "terms.body",
     ("S2", {"terms.body": "# Objet\nMissions de conseil."}), ("S2", {})),
    ("b2c.unfair", "engagement.refund_terms",
     ("S1", {"engagement.refund_terms": "L'acompte est non remboursable."}),
     ("S2", {"engagement.refund_terms": "L'acompte est non remboursable."})),
    ("b2c.odr", "terms.body",
     ("S1", {"terms.body": OLD_CGV + "Plateforme : https://ec.europa.eu/consumers/odr"}),
     ("S1", {})),
    # VAT (fr-rules.md §9); more cases in test_compliance_vat.py.
    ("tva.reason", "engagement.lines[0].vat_exemption",
     ("S2", {"engagement.lines[0].vat_rate": "0"}),
     ("S2", {"engagement.lines[0].vat_rate": "0",
             "engagement.lines[0].vat_exemption": "training"})),
    ("tva.rates", "engagement.lines[0].vat_rate",
     ("S2", {"engagement.lines[0].vat_rate": "19"}),
     ("S2", {"engagement.lines[0].vat_rate": "5.5"})),
    ("tva.b2b_eu", "client.vat_number",
     ("S2", {**REVERSE_CHARGE_S2, "client.vat_number": ""}),
     ("S2", {**REVERSE_CHARGE_S2, "client.vat_number": "BE0403170701"})),
    ("tva.non_eu", "engagement.lines[0].vat_exemption",
     ("S2", {"engagement.lines[0].vat_rate": "0",
             "engagement.lines[0].vat_exemption": "outside_eu"}),
     ("S2", {**{f"engagement.lines[{i}].vat_rate": "0" for i in range(3)},
             **{f"engagement.lines[{i}].vat_exemption": "outside_eu" for i in range(3)},
             "client.address.country": "CH"})),
    ("tva.place", "engagement.lines[0].vat_exemption",
     ("S2", {"client.address.country": "DE", "client.siren": ""}), ("S2", {})),
    ("tva.debits", "identity.vat_on_debits",
     ("S2", {"identity.vat_on_debits": True}), ("S1", {"identity.vat_on_debits": True})),
]


def _findings_of(rule_id, spec):
    return [finding for finding in check_spec(spec) if finding.rule_id == rule_id]


def test_every_rule_has_a_row():
    assert {row[0] for row in TABLE} == set(RULES)


@pytest.mark.parametrize(("rule_id", "field", "fire", "quiet"), TABLE, ids=[r[0] for r in TABLE])
def test_rule_fires(spec, rule_id, field, fire, quiet):
    key, changes = fire
    found = _findings_of(rule_id, edited(spec(key), changes))
    assert [f.field for f in found] == [field]
    finding = found[0]
    assert finding.severity == RULES[rule_id].severity
    assert finding.source == RULES[rule_id].source
    assert finding.message


@pytest.mark.parametrize(("rule_id", "field", "fire", "quiet"), TABLE, ids=[r[0] for r in TABLE])
def test_rule_keeps_quiet(spec, rule_id, field, fire, quiet):
    key, changes = quiet
    assert _findings_of(rule_id, edited(spec(key), changes)) == []


@pytest.mark.parametrize(("days", "fires"), [(45, False), (46, True)])
def test_end_of_month_term_is_at_most_45_days(spec, days, fires):
    data = edited(spec("S2"), {"engagement.payment.due_basis": "end_of_month",
                               "engagement.payment.due_days": days})
    assert bool(_findings_of("b2b.term_max", data)) is fires


def test_lawyers_have_their_own_franchise_limit(spec):
    data = edited(spec("S1"), {"identity.profession": "lawyer",
                               "engagement.lines[0].unit_price": "50000.00"})
    assert _findings_of("fac.franchise_limit", data) == []
    data["engagement"]["lines"][0]["unit_price"] = "55000.01"
    assert len(_findings_of("fac.franchise_limit", data)) == 1


def test_small_business_off_premises_gets_the_consumer_rules(spec):
    data = edited(spec("S2"), {**OFF_PREMISES_SMALL, "terms": None})
    found = {f.rule_id for f in check_spec(data)}
    assert {"b2c.withdrawal", "b2c.offprem_7d"} <= found
    # ...but stays a business for the payment terms, and gets no consumer mediator rule.
    data["engagement"]["payment"]["due_days"] = 75
    found = {f.rule_id for f in check_spec(data)}
    assert "b2b.term_max" in found and "b2c.mediator" not in found


def test_seller_siren_is_a_required_mention(spec):
    data = edited(spec("S2"), {"identity.siren": "123456789"})  # fails the Luhn check
    assert [f.field for f in _findings_of("fac.core", data)] == ["identity.siren"]


@pytest.mark.parametrize(("rule_id", "field", "fire", "quiet"), TABLE, ids=[r[0] for r in TABLE])
def test_rule_speaks_french_and_english(spec, rule_id, field, fire, quiet):
    key, changes = fire
    messages = {}
    for language in ("fr", "en"):
        with translation.override(language):
            (messages[language],) = [f.message for f in _findings_of(
                rule_id, edited(spec(key), changes))]
            assert str(RULES[rule_id].title)
    assert messages["fr"] != messages["en"], "add the French translation to terms_kit/locale"
