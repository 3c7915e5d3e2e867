"""One set of legal predicates: the wizard's questions and the payment and acceptance
services read the legal facts from a *saved* engagement (documents/rules.py ``law_of``),
the checker from the whole spec. For every scenario and the borderline cases (a small
business off premises, 5 people or more, a lawyer, a consumer penalty rate, self-paid
training), both give the same facts and the same document mentions."""

import pytest

from terms_kit.compliance.case import build_case
from terms_kit.documents import rules
from terms_kit.spec import import_spec
from terms_kit.wizard import conditions
from tests.conftest import scenario_spec
from tests.unit.compliance_helpers import edited

pytestmark = pytest.mark.django_db

SMALL_BUSINESS_OFF_PREMISES = {"client.kind": "business", "engagement.channel": "off_premises",
                               "client.outside_core_activity": True}
CASES = [
    ("S1", {}), ("S2", {}), ("S3", {}), ("S4", {}), ("S5", {}), ("S6", {}),
    ("S2", {**SMALL_BUSINESS_OFF_PREMISES, "client.headcount": 3}),
    ("S2", {**SMALL_BUSINESS_OFF_PREMISES, "client.headcount": 5}),
    ("S2", {**SMALL_BUSINESS_OFF_PREMISES, "client.headcount": 4,
            "client.outside_core_activity": False}),
    ("S1", {"engagement.payment.late_penalty_rate": "5.00"}),
    ("S3", {"engagement.early_start_requested": True}),
    ("S1", {"engagement.channel": "on_premises"}),
]
FACTS = ["is_consumer", "is_business", "is_small_business_off_premises", "is_consumer_regime",
         "is_distance_or_off_premises", "is_self_paid_training", "needs_fee_agreement",
         "has_withdrawal_right", "withdrawal_days", "early_start", "is_sole_trader",
         "under_vat_franchise", "shows_b2b_terms", "recovery_indemnity", "shows_mediator",
         "shows_consumer_penalty_clause"]


@pytest.mark.parametrize(("key", "changes"), CASES,
                         ids=[f"{key}-{'-'.join(changes) or 'as-is'}" for key, changes in CASES])
def test_a_saved_engagement_has_the_checkers_legal_facts(expert, key, changes):
    data = edited(scenario_spec(key), changes)
    engagement = import_spec(data, expert)
    checker = build_case(data).regime
    saved = rules.regime(rules.law_of(engagement))
    assert {f: getattr(saved, f) for f in FACTS} == {f: getattr(checker, f) for f in FACTS}
    assert saved.mentions() == checker.mentions()
    # The wizard asks by the same facts.
    assert conditions.consumer_regime(engagement) == checker.is_consumer_regime
    assert conditions.has_withdrawal_right(engagement) == checker.has_withdrawal_right
    assert conditions.needs_fee_agreement(engagement) == checker.needs_fee_agreement
    assert conditions.needs_training_rules(engagement) == checker.is_self_paid_training
    assert conditions.is_business_client(engagement) == checker.is_business


def test_the_cases_cover_both_sides_of_each_fact(expert):
    """The table above is not all one answer: each fact is true somewhere and false elsewhere
    (a fact never varied here would prove nothing)."""
    seen = {f: set() for f in FACTS}
    for key, changes in CASES:
        regime = build_case(edited(scenario_spec(key), changes)).regime
        for f in FACTS:
            seen[f].add(bool(getattr(regime, f)))
    assert {f for f, values in seen.items() if values != {True, False}} <= {
        "is_sole_trader", "under_vat_franchise"}
