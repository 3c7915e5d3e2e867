"""The dated figures: chosen by date, never guessed, and extendable by editing the YAML file."""

import datetime
from decimal import Decimal

import pytest
from compliance_helpers import ids
from django.core.exceptions import ImproperlyConfigured

from terms_kit.compliance import MISSING_PARAMETER_ID, check_spec, params
from terms_kit.compliance.params import MissingParameter


def test_every_figure_has_sources_and_no_overlapping_periods():
    for parameter in params.all_parameters().values():
        assert parameter.law and parameter.periods, parameter.name
        for earlier, later in zip(parameter.periods, parameter.periods[1:], strict=False):
            assert earlier.end is not None and earlier.end < later.start, parameter.name
        for period in parameter.periods:
            assert period.source and (period.end is None or period.start <= period.end)


@pytest.mark.parametrize(("day", "other", "consumer"), [
    (datetime.date(2025, 7, 1), "2.76", "6.65"),
    (datetime.date(2025, 12, 31), "2.76", "6.65"),
    (datetime.date(2026, 1, 1), "2.62", "6.67"),
    (datetime.date(2026, 6, 30), "2.62", "6.67"),
])
def test_legal_rate_is_chosen_by_half_year(day, other, consumer):
    assert params.value("legal_interest_rate_other", day) == Decimal(other)
    assert params.value("legal_interest_rate_consumer", day) == Decimal(consumer)


def test_unconfirmed_half_year_raises_with_the_last_known_figure():
    with pytest.raises(MissingParameter) as raised:
        params.value("legal_interest_rate_other", datetime.date(2026, 7, 1))
    assert raised.value.last_known.value == Decimal("2.62")
    with pytest.raises(MissingParameter) as raised:
        params.value("legal_interest_rate_other", datetime.date(2025, 6, 30))
    assert raised.value.last_known is None


def test_a_document_before_any_figure_gets_a_finding_not_a_crash(spec):
    data = spec("S2")
    data["engagement"]["issue_date"] = "2001-01-01"
    findings = check_spec(data)
    assert ids(findings) == {MISSING_PARAMETER_ID}


def test_host_project_adds_a_half_year_through_the_setting(spec, tmp_path, settings):
    extra = tmp_path / "figures.yaml"
    extra.write_text(
        "legal_interest_rate_other:\n  periods:\n"
        '    - {from: 2026-07-01, to: 2026-12-31, value: "4.10", source: "test arrêté"}\n',
        encoding="utf-8")
    settings.TERMS_KIT = {"COMPLIANCE_EXTRA_FIGURES": str(extra)}
    assert params.value("legal_interest_rate_other", datetime.date(2026, 11, 23)) == Decimal("4.10")
    s2 = spec("S2")
    s2["engagement"]["payment"]["late_penalty_rate"] = "12.29"  # 3 x 4.10 = 12.30
    assert ids(check_spec(s2)) == {"b2b.penalty_rate"}


def test_overlapping_or_unknown_extra_figures_are_refused(tmp_path, settings):
    extra = tmp_path / "figures.yaml"
    extra.write_text(
        "legal_interest_rate_other:\n  periods:\n"
        '    - {from: 2026-06-01, to: 2026-12-31, value: "4.10", source: "test"}\n',
        encoding="utf-8")
    settings.TERMS_KIT = {"COMPLIANCE_EXTRA_FIGURES": str(extra)}
    with pytest.raises(ImproperlyConfigured, match="overlapping"):
        params.all_parameters()
    extra.write_text("legal_rate:\n  periods: []\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="no figure named 'legal_rate'"):
        params.all_parameters()
