"""The documents print a legal mention exactly when the checker requires it.

One row per compliance rule that has a document mention (``Rule.mention``, the key of
``Regime.mentions()`` the templates read): a spec where the rule fires, which must print the
mention in the rendered DOCX, and the nearest spec where it is quiet because the mention does
not apply, which must not print it. The rows are checked against the registry, so a rule
given a mention without a row here fails the suite.
"""

import pytest
from django.utils import translation

from terms_kit.compliance import RULES, check_spec
from terms_kit.compliance.case import build_case
from terms_kit.documents import generation
from tests.conftest import scenario_spec
from tests.integration.documents_helpers import docx_text
from tests.unit.compliance_helpers import edited

OFF_PREMISES_SMALL = {"engagement.channel": "off_premises", "client.headcount": 4,
                      "client.outside_core_activity": True}
TRAINING_AT_SIGNING = {"engagement.payment.model": "full_prepayment",
                       "engagement.payment.milestones": []}

TABLE = [
    # rule id (article), document kind, the text the mention prints (fr),
    # (fire scenario, changes), (quiet scenario, changes)
    ("devis.identity_ei", "quote", "Entrepreneur individuel",
     ("S1", {"identity.legal_name": "Claire Martin"}), ("S2", {})),
    ("fac.franchise", "quote", "TVA non applicable, art. 293 B du CGI",
     ("S1", {"engagement.lines[0].vat_rate": "20.00"}), ("S3", {})),
    ("fac.franchise", "final_invoice", "TVA non applicable, art. 293 B du CGI",
     ("S1", {"engagement.lines[0].vat_rate": "20.00"}), ("S3", {})),
    ("b2c.withdrawal", "quote", "Modèle de formulaire de rétractation",
     ("S1", {"terms": None}), ("S2", {"terms": None})),
    ("b2c.withdrawal", "quote", "délai de 14 jours",
     ("S3", {"terms": None}), ("S5", {"terms": None})),
    ("b2b.tpe_offpremises", "quote", "Modèle de formulaire de rétractation",
     ("S2", OFF_PREMISES_SMALL), ("S2", {**OFF_PREMISES_SMALL, "client.headcount": 6})),
    ("prof.formation", "quote", "délai de 10 jours",
     ("S6", TRAINING_AT_SIGNING),
     ("S6", {**TRAINING_AT_SIGNING, "client.kind": "business", "client.siren": "732829320"})),
    ("b2c.mediator", "quote", "médiateur de la consommation",
     ("S1", {"identity.mediator.name": ""}), ("S2", {"identity.mediator.name": ""})),
    ("b2b.indemnity", "quote", "Indemnité forfaitaire pour frais de recouvrement",
     ("S2", {"engagement.payment.recovery_indemnity": None}),
     ("S1", {"engagement.payment.recovery_indemnity": None})),
    ("b2b.indemnity", "milestone_invoice", "Indemnité forfaitaire pour frais de recouvrement",
     ("S2", {"engagement.payment.recovery_indemnity": None}),
     ("S4", {"engagement.payment.recovery_indemnity": None})),
    ("b2b.penalty_rate", "quote", "pénalités sont exigibles sans rappel",
     ("S2", {"engagement.payment.late_penalty_rate": None}),
     ("S1", {"engagement.payment.late_penalty_rate": None})),
    ("fac.b2b_terms", "quote", "scompte",  # "Escompte de 2 %" or "Pas d'escompte"
     ("S2", {"engagement.payment.due_days": None}), ("S1", {"engagement.payment.due_days": None})),
    ("b2c.penalty_clause", "quote", "Clause pénale",
     ("S1", {"engagement.payment.late_penalty_rate": "5.00"}),
     ("S1", {"engagement.payment.late_penalty_rate": None})),
    ("b2c.penalty_clause", "final_invoice", "1231-5",
     ("S3", {"engagement.payment.late_penalty_rate": "5.00"}),
     ("S2", {"engagement.payment.late_penalty_rate": "12.15"})),
    ("prof.avocat", "quote", "Honoraires au temps passé",
     ("S5", {"engagement.fee_agreement.basis": "time_spent"}),
     ("S2", {"engagement.fee_agreement": {"basis": "time_spent", "hourly_rate": "200.00"}})),
]


def _spec(spec, key, changes):
    data = spec(key)
    if any(path.startswith("engagement.fee_agreement.") for path in changes):
        data["engagement"].setdefault("fee_agreement", {})
    return edited(data, changes)


def _fires(data, rule_id):
    with translation.override("en"):
        return any(f.rule_id == rule_id for f in check_spec(data))


def _printed(data, kind, text):
    return text in docx_text(generation.render(data, kind, "fr").docx)


def test_every_rule_with_a_mention_has_a_row():
    with_mention = {rule.id for rule in RULES.values() if rule.mention}
    assert with_mention == {row[0] for row in TABLE}
    # ...and every printed mention of the documents is claimed by a rule, except the early
    # start paragraph, which repeats the client's request (b2c.early_start asks for it).
    claimed = {rule.mention for rule in RULES.values() if rule.mention}
    booleans = {key for key, value in build_case(scenario_spec("S1")).regime.mentions().items()
                if isinstance(value, bool)}
    assert booleans - claimed == {"consumer", "business", "vat_lines", "early_start"}


@pytest.mark.parametrize(("rule_id", "kind", "text", "fire", "quiet"), TABLE,
                         ids=[f"{row[0]}-{row[1]}" for row in TABLE])
def test_printed_when_the_rule_fires(spec, rule_id, kind, text, fire, quiet):
    data = _spec(spec, *fire)
    mention = RULES[rule_id].mention
    assert _fires(data, rule_id)
    assert build_case(data).regime.mentions()[mention]
    assert _printed(data, kind, text)


@pytest.mark.parametrize(("rule_id", "kind", "text", "fire", "quiet"), TABLE,
                         ids=[f"{row[0]}-{row[1]}" for row in TABLE])
def test_absent_when_the_rule_is_quiet(spec, rule_id, kind, text, fire, quiet):
    data = _spec(spec, *quiet)
    mention = RULES[rule_id].mention
    assert not _fires(data, rule_id)
    assert not build_case(data).regime.mentions()[mention]
    assert not _printed(data, kind, text)


def test_withdrawal_deadline_at_acceptance_uses_the_same_days(spec):
    # The acceptance service freezes the period the documents print (14 days, 10 for
    # self-paid training), from the dated figures.
    import datetime

    from terms_kit.services.acceptance import withdrawal_rights

    day = datetime.date(2026, 11, 23)
    assert withdrawal_rights(spec("S1"), day)["withdrawal_deadline"] == "2026-12-07"
    assert withdrawal_rights(spec("S6"), day)["withdrawal_days"] == 10
    assert withdrawal_rights(spec("S2"), day)["withdrawal"] is False
