"""C. conso L221-10: no payment of any kind within 7 days of an off-premises contract,
decided on the dates of the payment schedule (payments/schedule.py), for every model.

S1 is issued on 2026-11-23 (a Monday), so the first day money may be asked is 2026-11-30.
Each row: what it shows, the changes that make the rule fire (and the field it points at),
the nearest changes that keep it quiet.
"""

import pytest
from django.utils import translation

from terms_kit.compliance import RULES, check_spec
from terms_kit.compliance.case import build_case
from terms_kit.payments import schedule
from tests.unit.compliance_helpers import edited

RULE = "b2c.offprem_7d"
OFF = {"engagement.channel": "off_premises", "engagement.early_start_requested": True}
LATER = {"engagement.start_date": "2026-12-01", "engagement.end_date": "2026-12-01"}
MILESTONES = [{"label": "Part 1", "amount": "25.00"}, {"label": "Part 2", "amount": "25.00"}]

TABLE = [
    # (what, fire changes, field, quiet changes)
    ("full prepayment is money at signing",
     {**OFF, "engagement.payment.model": "full_prepayment"}, "engagement.payment.model",
     {**OFF, "engagement.payment.model": "full_prepayment", "client.kind": "business",
      "client.siren": "732829320"}),
    ("a deposit is money at signing",
     {**OFF, **LATER, "engagement.payment.model": "deposit",
      "engagement.payment.deposit_percent": "30", "engagement.payment.deposit_label": "acompte"},
     "engagement.payment.model",
     {**OFF, **LATER, "engagement.payment.model": "deposit",
      "engagement.payment.deposit_percent": None}),
    ("a time credit is paid at signing",
     {**OFF, "engagement.payment.model": "time_credit"}, "engagement.payment.model",
     {**OFF, "engagement.payment.model": "time_credit", "engagement.channel": "on_premises"}),
    ("a card pre-authorisation counts as a payment",
     {**OFF, "engagement.payment.model": "preauthorisation"}, "engagement.payment.model",
     {**OFF, "engagement.payment.model": "preauthorisation", "engagement.channel": "distance"}),
    ("payment on completion of a service held within 7 days",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": "2026-11-26"},
     "engagement.end_date",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": "2026-11-30"}),
    ("on completion, but a payment term that ends after day 7",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": "2026-11-26",
      "engagement.payment.due_days": 3},
     "engagement.end_date",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": "2026-11-26",
      "engagement.payment.due_days": 4}),
    ("on completion with no date: the work may start on signing",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": None},
     "engagement.end_date",
     {**OFF, "engagement.payment.model": "on_completion", "engagement.start_date": None,
      "engagement.payment.due_days": 7}),
    ("pay per act, the first act given within 7 days",
     {**OFF, "engagement.payment.model": "pay_per_act", "engagement.start_date": "2026-11-29"},
     "engagement.start_date",
     {**OFF, "engagement.payment.model": "pay_per_act", "engagement.start_date": "2026-11-30"}),
    ("a first milestone due within 7 days",
     {**OFF, "engagement.payment.model": "milestones", "engagement.payment.milestones": MILESTONES,
      "engagement.start_date": "2026-11-25"},
     "engagement.payment.milestones[0]",
     {**OFF, "engagement.payment.model": "milestones", "engagement.payment.milestones": MILESTONES,
      "engagement.start_date": "2026-12-02"}),
    ("milestones with a deposit at signing",
     {**OFF, **LATER, "engagement.payment.model": "milestones",
      "engagement.payment.milestones": MILESTONES, "engagement.payment.deposit_percent": "20",
      "engagement.payment.deposit_label": "acompte"},
     "engagement.payment.model",
     {**OFF, **LATER, "engagement.payment.model": "milestones",
      "engagement.payment.milestones": MILESTONES}),
    ("a small business off premises has the consumer's protection (L221-3)",
     {**OFF, "client.kind": "business", "client.siren": "732829320", "client.headcount": 3,
      "client.outside_core_activity": True, "engagement.payment.model": "on_completion",
      "engagement.start_date": "2026-11-24"},
     "engagement.end_date",
     {**OFF, "client.kind": "business", "client.siren": "732829320", "client.headcount": 6,
      "client.outside_core_activity": True, "engagement.payment.model": "on_completion",
      "engagement.start_date": "2026-11-24"}),
]


def _found(spec, changes):
    return [f for f in check_spec(edited(spec("S1"), changes)) if f.rule_id == RULE]


@pytest.mark.parametrize(("what", "fire", "field", "quiet"), TABLE, ids=[r[0] for r in TABLE])
def test_fires_on_a_payment_due_within_7_days(spec, what, fire, field, quiet):
    found = _found(spec, fire)
    assert [f.field for f in found] == [field]
    assert found[0].source == "C. conso L221-10, L242-7" == RULES[RULE].source
    assert found[0].severity.value == "error"


@pytest.mark.parametrize(("what", "fire", "field", "quiet"), TABLE, ids=[r[0] for r in TABLE])
def test_quiet_when_nothing_falls_due_before_day_7(spec, what, fire, field, quiet):
    assert _found(spec, quiet) == []


def test_message_names_the_dates_in_french_and_english(spec):
    changes = {**OFF, "engagement.payment.model": "on_completion",
               "engagement.start_date": "2026-11-26"}
    with translation.override("fr"):
        (french,) = _found(spec, changes)
    with translation.override("en"):
        (english,) = _found(spec, changes)
    assert "30 novembre 2026" in french.message and "7 jours" in french.message
    assert "November 30, 2026" in english.message and "7 days" in english.message


def test_self_paid_training_waits_for_its_own_period(spec):
    # C. trav. L6353-6: nothing falls due before the 10-day period ends, so off premises the
    # schedule already starts after day 7.
    data = edited(spec("S6"), {"engagement.channel": "off_premises",
                               "engagement.start_date": "2026-11-24"})
    case = build_case(data)
    assert {step.trigger for step, _due in case.payment_schedule()} >= {schedule.WITHDRAWAL_END}
    assert [f for f in check_spec(data) if f.rule_id == RULE] == []


def test_schedule_steps_match_the_stored_schedule_shape():
    # The payment service builds its instalments from these steps (services/payments.plan).
    assert [s.kind for s in schedule.steps("deposit", has_deposit=True, milestone_count=0,
                                           self_paid_training=False)] == ["deposit", "balance"]
    assert [s.trigger for s in schedule.steps("milestones", has_deposit=True, milestone_count=2,
                                              self_paid_training=True)] == [
        "withdrawal_end", "milestone_done", "milestone_done"]
    assert [s.kind for s in schedule.steps("deposit", has_deposit=False, milestone_count=0,
                                           self_paid_training=False)] == ["balance"]
