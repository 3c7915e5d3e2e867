"""The dated figures: chosen by date, never guessed, and extendable by editing the YAML file."""

import datetime
from decimal import Decimal

import pytest
import yaml
from compliance_helpers import ids
from django.utils import translation

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


def test_adding_the_next_half_year_as_documented_decides_the_floor(spec, tmp_path, monkeypatch):
    data = yaml.safe_load(params.PARAMS_PATH.read_text(encoding="utf-8"))
    data["legal_interest_rate_other"]["periods"].append(
        {"from": datetime.date(2026, 7, 1), "to": datetime.date(2026, 12, 31), "value": "4.00",
         "source": "test figure"})
    path = tmp_path / "fr.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(params, "PARAMS_PATH", path)

    s2 = spec("S2")
    assert check_spec(s2) == []  # 12.15 >= 3 x 4.00
    s2["engagement"]["payment"]["late_penalty_rate"] = "11.99"
    with translation.override("en"):
        (finding,) = check_spec(s2)
    assert finding.rule_id == "b2b.penalty_rate" and "12" in finding.message


def test_a_document_before_any_figure_gets_a_finding_not_a_crash(spec):
    data = spec("S2")
    data["engagement"]["issue_date"] = "2001-01-01"
    findings = check_spec(data)
    assert ids(findings) == {MISSING_PARAMETER_ID}
