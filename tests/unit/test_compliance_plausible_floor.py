"""A B2B penalty rate under any plausible floor is an error even while the half-year's legal
interest rate is missing; messages shown to the expert say what to do, the developer hint is
logged.

Figures used (terms_kit/compliance/params/fr.yaml, /work/shared/legal/params-2026.yaml): the
legal interest rate "other cases" held for the ten years before 23 November 2026 is 2.76 %
(2025H2) and 2.62 % (2026H1, arrêté du 15 décembre 2025, JORF du 26 décembre 2025). Lowest:
2.62, so the plausible floor is 3 × 2.62 = 7.86 %.
"""

import datetime
import logging

import pytest
from compliance_helpers import edited
from django.utils import translation

from terms_kit.compliance import MISSING_PARAMETER_ID, Severity, check_spec
from terms_kit.compliance.rules.b2b import plausible_floor

RATE = "engagement.payment.late_penalty_rate"


def _findings(spec, rate):
    with translation.override("en"):
        return check_spec(edited(spec("S2"), {RATE: rate}))


def test_the_plausible_floor_is_three_times_the_lowest_rate_held():
    floor, period = plausible_floor(datetime.date(2026, 11, 23))
    assert floor == 3 * period.value
    assert str(period.value) == "2.62" and "15 décembre 2025" in period.source


@pytest.mark.parametrize("rate", ["3", "0", "7.85", "-1"])
def test_a_rate_under_any_plausible_floor_is_an_error_while_the_figure_is_missing(spec, rate):
    (finding,) = _findings(spec, rate)
    assert finding.rule_id == "b2b.penalty_rate" and finding.severity is Severity.ERROR
    assert finding.field == RATE


def test_the_error_says_what_to_do_and_cites_the_source(spec):
    (finding,) = _findings(spec, "3")
    assert "7.86" in finding.message and "2.62" in finding.message
    assert "15 décembre 2025" in finding.message
    assert "raise the late-penalty rate" in finding.message


@pytest.mark.parametrize("rate", ["7.86", "8", "12.15"])
def test_a_rate_at_or_above_the_plausible_floor_stays_a_warning(spec, rate):
    (finding,) = _findings(spec, rate)
    assert finding.rule_id == MISSING_PARAMETER_ID and finding.severity is Severity.WARNING


def test_the_missing_figure_message_speaks_to_the_expert_and_logs_the_developer_hint(spec, caplog):
    with caplog.at_level(logging.WARNING, logger="terms_kit.compliance.checker"):
        (finding,) = _findings(spec, "12.15")
    for developer_word in ("TERMS_KIT", "COMPLIANCE_EXTRA_FIGURES", "docs/", ".yaml", "rule "):
        assert developer_word not in finding.message
    assert "site administrator" in finding.message and "Official figures" in finding.message
    assert "2.62" in finding.message  # the last confirmed figure, to judge meanwhile
    assert "COMPLIANCE_EXTRA_FIGURES" in caplog.text and "legal_interest_rate_other" in caplog.text


def test_zero_is_an_error_even_with_the_figure_known(spec):
    data = edited(spec("S2"), {RATE: "0"})
    findings = check_spec(data, on=datetime.date(2026, 5, 4))
    assert [f.rule_id for f in findings] == ["b2b.penalty_rate"]


def test_french_message(spec):
    with translation.override("fr"):
        (finding,) = check_spec(edited(spec("S2"), {RATE: "3"}))
    assert "7,86" in finding.message and "taux" in finding.message
