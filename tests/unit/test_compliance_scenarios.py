"""S1-S6 check clean; each bad input of SCENARIOS.md yields the right rule id; the live-panel
helpers; a saved engagement checks like its spec."""

import datetime

import pytest
from compliance_helpers import edited, ids
from django.utils import translation

from terms_kit.compliance import (
    MISSING_PARAMETER_ID,
    NotSendable,
    Severity,
    check_engagement,
    check_spec,
    ensure_sendable,
    findings_under,
    has_blocking_errors,
)
from terms_kit.spec import export_engagement, validate_spec

# What remains on the correctly filled scenarios, and why (see the report / docs):
#   S2: the 2026H2 legal interest rate is not confirmed, so the penalty floor cannot be decided
#       on 2026-11-23 -> params.missing (warning);
#   S3: the 12-month time credit is prepaid -> legal interest for the consumer (info, L214-2).
REMAINING = {
    "S1": set(), "S2": {MISSING_PARAMETER_ID}, "S3": {"b2c.prepay_interest"},
    "S4": set(), "S5": set(), "S6": set(),
}


@pytest.mark.parametrize("key", sorted(REMAINING))
def test_scenario_checks_clean(spec, key):
    findings = check_spec(spec(key))
    assert not has_blocking_errors(findings), [f.to_dict() for f in findings]
    assert ids(findings) == REMAINING[key]


def test_s2_penalty_floor_is_decided_when_the_rate_is_known(spec):
    findings = check_spec(spec("S2"), on=datetime.date(2026, 5, 4))
    assert findings == []


def test_missing_rate_is_reported_on_the_field_that_needs_it(spec):
    with translation.override("en"):
        (finding,) = check_spec(spec("S2"))
    assert finding.rule_id == MISSING_PARAMETER_ID
    assert finding.severity is Severity.WARNING
    assert finding.field == "engagement.payment.late_penalty_rate"
    assert "November 23, 2026" in finding.message and "2.62" in finding.message


def test_missing_rate_is_not_reported_when_the_floor_is_not_needed(spec):
    # No rate stated: the mention is missing whatever the floor is -> an error, no guess.
    data = edited(spec("S2"), {"engagement.payment.late_penalty_rate": None})
    assert ids(check_spec(data)) == {"b2b.penalty_rate"}


BAD_INPUTS = [
    ("B2B payment term of 75 days", "S2", {"engagement.payment.due_days": 75}, "b2b.term_max"),
    ("B2B late-penalty rate below the floor", "S2",
     {"engagement.issue_date": "2026-02-02", "engagement.payment.late_penalty_rate": "5.00"},
     "b2b.penalty_rate"),
    ("40 EUR indemnity on a consumer document", "S1",
     {"engagement.payment.recovery_indemnity": "40.00"}, "dun.b2c_fees"),
    ("recovery fees in a consumer's terms", "S3",
     {"engagement.refund_terms": "Tout retard entraîne des frais de recouvrement."},
     "dun.b2c_fees.text"),
    ("consumer distance contract with no mediator", "S1",
     {"identity.mediator": {"name": "", "website": "", "address": ""}}, "b2c.mediator"),
    ("start within 14 days with no express request", "S3",
     {"engagement.early_start_requested": False}, "b2c.early_start"),
    ("VAT charged under the VAT franchise", "S6", {"engagement.lines[0].vat_rate": "20.00"},
     "fac.franchise"),
    ("sole trader's name without EI", "S3", {"identity.legal_name": "Inès Moreau"},
     "devis.identity_ei"),
    ("consumer deposit without acompte or arrhes", "S5",
     {"engagement.payment.deposit_label": ""}, "devis.deposit_label"),
    ("quote with no line", "S1", {"engagement.lines": []}, "data.lines"),
    ("negative quantity", "S1", {"engagement.lines[0].quantity": "-2"}, "data.lines"),
    ("0 % deposit marked as required", "S5", {"engagement.payment.deposit_percent": "0"},
     "data.payment_plan"),
    ("deposit above 100 %", "S5", {"engagement.payment.deposit_percent": "120"},
     "data.payment_plan"),
    ("milestones that do not add up", "S2", {"engagement.payment.milestones[0].amount": "3000.00"},
     "data.payment_plan"),
]


@pytest.mark.parametrize(("case", "key", "changes", "rule_id"), BAD_INPUTS,
                         ids=[row[0] for row in BAD_INPUTS])
def test_bad_input_yields_its_rule(spec, case, key, changes, rule_id):
    findings = check_spec(edited(spec(key), changes))
    assert rule_id in ids(findings)
    assert has_blocking_errors(findings) is (rule_id != "dun.b2c_fees.text")


TRICKY_TEXT = ["{{ 7*7 }}", "{% if %}", "<w:t>x</w:t>", "Dupont & Fils", "Merci 🙂👍🏽",
               "x" * 20_000]


@pytest.mark.parametrize("text", TRICKY_TEXT, ids=["jinja", "tag", "xml", "amp", "emoji", "20k"])
def test_free_text_is_not_a_compliance_problem_and_is_left_intact(spec, text):
    """Template-looking text is data: the checker neither fails nor changes it (escaping is
    the document renderer's job); only the length limits of the schema apply."""
    data = edited(spec("S2"), {"engagement.service_description": text,
                               "engagement.refund_terms": text,
                               "terms.body": text + " prix paiement"})
    findings = check_spec(data)
    assert not has_blocking_errors(findings)
    assert data["engagement"]["service_description"] == text


def test_too_long_title_is_a_spec_error_naming_the_field(spec):
    data = edited(spec("S2"), {"engagement.title": "x" * 20_000})
    assert [path for path, _ in validate_spec(data)] == ["engagement.title"]


def test_findings_under_keeps_one_step(spec):
    data = edited(spec("S1"), {"identity.legal_name": "Claire Martin",
                               "engagement.early_start_requested": False})
    findings = check_spec(data)
    assert ids(findings_under(findings, "identity")) == {"devis.identity_ei"}
    assert ids(findings_under(findings, "engagement")) == {"b2c.early_start"}
    assert findings_under(findings, "identity.legal") == []


def test_findings_come_most_severe_first(spec):
    data = edited(spec("S3"), {"identity.legal_name": "Inès Moreau"})
    ranks = [finding.severity.rank for finding in check_spec(data)]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_early_start_counts_from_the_day_checked_at_acceptance(spec):
    data = edited(spec("S2"), {"client.kind": "consumer",
                               "engagement.start_date": "2026-12-08"})
    assert "b2c.early_start" not in ids(check_spec(data))  # 15 days after the issue date
    accepted = datetime.date(2026, 11, 30)  # ...but only 8 days after acceptance
    assert "b2c.early_start" in ids(check_spec(data, on=accepted))


@pytest.mark.django_db
def test_send_is_refused_while_an_error_remains(make_engagement):
    engagement = make_engagement("S1", change=lambda s: s["engagement"].update(
        early_start_requested=False))
    with pytest.raises(NotSendable) as raised:
        ensure_sendable(engagement)
    assert ids(raised.value.findings) == {"b2c.early_start"}
    assert "engagement.early_start_requested" in str(raised.value)
    assert ensure_sendable(make_engagement("S1")) == []


@pytest.mark.django_db
def test_saved_engagement_checks_like_its_spec(make_engagement):
    engagement = make_engagement("S1", change=lambda s: s["engagement"].update(
        early_start_requested=False))
    findings = check_engagement(engagement)
    assert ids(findings) == {"b2c.early_start"}
    assert findings == check_spec(export_engagement(engagement))


def test_amounts_too_large_to_total_are_an_error_not_a_crash(spec):
    data = edited(spec("S1"), {"engagement.lines[0].quantity": "500000000",
                               "engagement.lines[0].unit_price": "60000",
                               "engagement.lines[0].vat_rate": "170000000",
                               "engagement.lines[0].discount_percent": "200000000"})
    assert [(f.rule_id, f.field) for f in check_spec(data)] == [("data.lines", "engagement.lines")]
