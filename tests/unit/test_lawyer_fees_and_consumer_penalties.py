"""Loi 71-1130 art. 10 decided on the fee agreement's data (free text only warns), and a
consumer's late-penalty rate shown as a penalty clause (C. civ. 1231-5, C. conso R212-2 3°).

Each row: what it shows, the changes to a scenario, the findings expected as
{rule id: field}, and the rules that must stay quiet.
"""

import pytest

from terms_kit.compliance import check_spec
from tests.conftest import scenario_spec
from tests.unit.compliance_helpers import edited


def fees(**values):
    return {"engagement.fee_agreement": {"basis": "", "hourly_rate": None, "success_fee": False,
                                         "provision": None, "exemption": "", **values}}


BASIS = "engagement.fee_agreement.basis"
RATE = "engagement.fee_agreement.hourly_rate"
PENALTY = "engagement.payment.late_penalty_rate"
H1_2026 = {"engagement.issue_date": "2026-03-02"}

LAWYER = [
    ("no answer: the expert must say how fees are set", "S5", fees(),
     {"prof.avocat": BASIS}),
    ("no fee agreement at all", "S5", fees(basis="none"), {"prof.avocat": BASIS}),
    ("no agreement, under full legal aid (art. 10 exception)", "S5",
     fees(basis="none", exemption="legal_aid"), {}),
    ("a fee on the result alone is forbidden", "S5", fees(basis="success_only"),
     {"prof.avocat": BASIS}),
    ("time spent without the hourly rate", "S5", fees(basis="time_spent"),
     {"prof.avocat": RATE}),
    ("time spent at 250 EUR an hour", "S5", fees(basis="time_spent", hourly_rate="250.00"), {}),
    ("flat fee plus a fee on the result as a complement", "S5",
     fees(basis="flat_fee", success_fee=True, provision="500.00"), {}),
    ("the title claims no agreement: only a warning, the data decides", "S5",
     {**fees(basis="flat_fee"),
      "engagement.title": "Bail commercial sans convention d'honoraires"},
     {"prof.avocat.text": "engagement.title"}),
    ("the title says nothing of a fee agreement: a warning", "S5",
     {**fees(basis="flat_fee"), "engagement.title": "Rédaction d'un bail"},
     {"prof.avocat.text": "engagement.title"}),
    ("the title wording cannot make an unanswered agreement pass", "S5",
     {**fees(), "engagement.title": "Convention d'honoraires"}, {"prof.avocat": BASIS}),
    ("not a lawyer: no fee agreement asked", "S2", fees(), {}),
]

PENALTIES = [
    ("a consumer's rate is printed as a penalty clause (info)", "S1",
     {**H1_2026, PENALTY: "5.00"}, {"b2c.penalty_clause": PENALTY}),
    ("above ECB + 10 points (12.15 % in H1 2026): excessive", "S1",
     {**H1_2026, PENALTY: "12.16"},
     {"b2c.penalty_clause": PENALTY, "b2c.penalty_clause.excessive": PENALTY}),
    ("at 12.15 % exactly: not excessive", "S1", {**H1_2026, PENALTY: "12.15"},
     {"b2c.penalty_clause": PENALTY}),
    ("no rate: nothing to print", "S1", {**H1_2026, PENALTY: None}, {}),
    ("a business client: the B2B penalty rules apply instead", "S2",
     {**H1_2026, PENALTY: "20.00"}, {}),
]

WATCHED = {"prof.avocat", "prof.avocat.text", "b2c.penalty_clause",
           "b2c.penalty_clause.excessive"}


@pytest.mark.parametrize(("what", "key", "changes", "expected"), LAWYER + PENALTIES,
                         ids=[row[0] for row in LAWYER + PENALTIES])
def test_findings(what, key, changes, expected):
    found = {f.rule_id: f for f in check_spec(edited(scenario_spec(key), changes))
             if f.rule_id in WATCHED}
    assert {rule_id: f.field for rule_id, f in found.items()} == expected
    for rule_id, finding in found.items():
        assert finding.source.startswith(("Loi 71-1130 art. 10", "C. civ. 1231-5"))
        assert finding.severity.value == {"prof.avocat": "error", "prof.avocat.text": "warning",
                                          "b2c.penalty_clause": "info",
                                          "b2c.penalty_clause.excessive": "warning"}[rule_id]
