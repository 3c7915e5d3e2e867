"""Late interest, to the cent, against figures worked by hand (written next to each case).

Conventions (SCENARIOS.md): days = end − start in calendar days, the start day excluded;
simple interest amount × rate × days / 365, exact, rounded once per invoice, half up.
Real figures used: ECB 2.15 % in 2025H2 and 2026H1 (default rate 12.15 %); legal rate
("other cases") 2.76 % in 2025H2 (floor 8.28 %), 2.62 % in 2026H1 (floor 7.86 %).
"""

import datetime
from decimal import Decimal

import pytest

from terms_kit.dunning import interest
from terms_kit.dunning.interest import BUSINESS, CONSUMER, InterestError, MissingFigure

D = datetime.date
EUR = Decimal

CASES = [
    # id, kwargs, expected lines [(from, to, base, rate, days)], interest, indemnity
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 17),
             payments=[(D(2026, 3, 17), "7200.00")]),
        # 7200 × 12.15 % = 874.80 a year; × 45 / 365 = 107.8520… → 107.85
        [(D(2026, 2, 1), D(2026, 3, 17), "7200.00", "12.15", 45)], "107.85", "40.00",
        id="S2 paid 45 days late, terms silent: ECB 2.15 + 10"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 2)),
        # J+30, still unpaid: 874.80 × 30 / 365 = 71.9013… → 71.90
        [(D(2026, 2, 1), D(2026, 3, 2), "7200.00", "12.15", 30)], "71.90", "40.00",
        id="S2 at J+30 (formal notice day), unpaid"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 17),
             payments=[(D(2026, 2, 20), "3000.00"), (D(2026, 3, 17), "4200.00")]),
        # 874.80 × 20 / 365 = 47.9342…; 4200 × 12.15 % = 510.30 × 25 / 365 = 34.9520…
        # exact sum 82.8863 → 82.89 (rounding each line first would give 47.93 + 34.95 = 82.88)
        [(D(2026, 2, 1), D(2026, 2, 20), "7200.00", "12.15", 20),
         (D(2026, 2, 21), D(2026, 3, 17), "4200.00", "12.15", 25)], "82.89", "40.00",
        id="S2 partial payment reduces the base from its date; one rounding"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 17),
             contract_rate="7.86", payments=[(D(2026, 3, 17), "7200.00")]),
        # 7200 × 7.86 % = 565.92 × 45 / 365 = 69.7710… → 69.77
        [(D(2026, 2, 1), D(2026, 3, 17), "7200.00", "7.86", 45)], "69.77", "40.00",
        id="S2 at the contract's rate 3 x legal = 7.86"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 17),
             contract_rate="5.00", payments=[(D(2026, 3, 17), "7200.00")]),
        # agreed 5 % < floor 7.86 %: the floor applies, 69.77 as above
        [(D(2026, 2, 1), D(2026, 3, 17), "7200.00", "7.86", 45)], "69.77", "40.00",
        id="agreed rate under the floor: the half-year's floor applies"),
    pytest.param(
        dict(amount="2400.00", due_date=D(2025, 12, 16), on=D(2026, 1, 15),
             contract_rate="8.00"),
        # 2025H2 floor 3 × 2.76 = 8.28 > 8.00: 2400 × 8.28 % = 198.72 × 15 / 365 = 8.1666…
        # 2026H1 floor 7.86 < 8.00: 2400 × 8 % = 192 × 15 / 365 = 7.8904…; sum 16.0570 → 16.06
        [(D(2025, 12, 17), D(2025, 12, 31), "2400.00", "8.28", 15),
         (D(2026, 1, 1), D(2026, 1, 15), "2400.00", "8.00", 15)], "16.06", "40.00",
        id="across the 31 December boundary: each half-year's floor"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 2),
             payments=[(D(2026, 1, 20), "2000.00")]),
        # paid 2000 before the due date: 5200 × 12.15 % = 631.80 × 30 / 365 = 51.9287… → 51.93
        [(D(2026, 2, 1), D(2026, 3, 2), "5200.00", "12.15", 30)], "51.93", "40.00",
        id="payment before the due date lowers the base from the start"),
    pytest.param(
        dict(amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 1, 31)),
        [], "0.00", "0.00", id="on the due date: nothing yet"),
    pytest.param(
        dict(amount="1500.00", due_date=D(2026, 2, 1), on=D(2026, 4, 1), debtor=CONSUMER,
             notice_date=D(2026, 3, 2), payments=[(D(2026, 4, 1), "1500.00")]),
        # legal rate "other cases" 2.62 %: 1500 × 2.62 % = 39.30 × 30 / 365 = 3.2301… → 3.23
        [(D(2026, 3, 3), D(2026, 4, 1), "1500.00", "2.62", 30)], "3.23", "0.00",
        id="consumer after the notice: legal interest only, no 40 EUR"),
    pytest.param(
        dict(amount="1500.00", due_date=D(2026, 2, 1), on=D(2026, 3, 1), debtor=CONSUMER),
        [], "0.00", "0.00", id="consumer before any notice: nothing runs, no fees"),
    pytest.param(
        dict(amount="1500.00", due_date=D(2026, 2, 1), on=D(2026, 4, 1), debtor=CONSUMER,
             notice_date=D(2026, 3, 2), payments=[(D(2026, 3, 12), "500.00")]),
        # 39.30 × 10 / 365 = 1.0767…; 1000 × 2.62 % = 26.20 × 20 / 365 = 1.4356…; 2.5123 → 2.51
        [(D(2026, 3, 3), D(2026, 3, 12), "1500.00", "2.62", 10),
         (D(2026, 3, 13), D(2026, 4, 1), "1000.00", "2.62", 20)], "2.51", "0.00",
        id="consumer partial payment after the notice"),
]


@pytest.mark.parametrize("kwargs, lines, amount, indemnity", CASES)
def test_interest_to_the_cent(kwargs, lines, amount, indemnity):
    statement = interest.compute(number="F-2026-0001", **kwargs)
    got = [(line.start, line.end, line.base, line.rate, line.days) for line in statement.lines]
    assert got == [(a, b, EUR(base), EUR(rate), days) for a, b, base, rate, days in lines]
    assert statement.interest == EUR(amount)
    assert statement.indemnity == EUR(indemnity)
    assert statement.as_json()["rounding"] == "interest.total_once_half_up"


def test_half_year_boundary_follows_the_ecb_rate_of_1_july(tmp_path, settings):
    extra = tmp_path / "figures.yaml"
    extra.write_text(
        "ecb_reference_rate:\n  periods:\n"
        '    - {from: 2026-07-01, to: 2026-12-31, value: "2.40", source: "test ECB 1 July"}\n',
        encoding="utf-8")
    settings.TERMS_KIT = {"COMPLIANCE_EXTRA_FIGURES": str(extra)}
    statement = interest.compute(number="F-1", amount="4800.00", due_date=D(2026, 6, 15),
                                 on=D(2026, 7, 20))
    # H1: 4800 × 12.15 % = 583.20 × 15 / 365 = 23.9671…; H2 at 2.40 + 10 = 12.40 %:
    # 4800 × 12.40 % = 595.20 × 20 / 365 = 32.6137…; sum 56.5808 → 56.58
    assert [(line.start, line.end, line.rate, line.days) for line in statement.lines] == [
        (D(2026, 6, 16), D(2026, 6, 30), EUR("12.15"), 15),
        (D(2026, 7, 1), D(2026, 7, 20), EUR("12.40"), 20)]
    assert statement.interest == EUR("56.58")
    assert statement.total == EUR("4800.00") + EUR("56.58") + EUR("40.00")


@pytest.mark.parametrize("rate, figure", [(None, "ecb_reference_rate"),
                                          ("7.86", "legal_interest_rate_other")])
def test_missing_half_year_figure_stops_with_its_name(rate, figure):
    with pytest.raises(MissingFigure) as raised:
        interest.compute(number="F-1", amount="4800.00", due_date=D(2026, 6, 15),
                         on=D(2026, 7, 20), contract_rate=rate)
    message = str(raised.value)
    assert raised.value.name == figure and "2026H2" in message
    # The expert reads what to do; the developer hint (setting, file) is only in the log.
    assert "Official figures" in message
    assert "COMPLIANCE_EXTRA_FIGURES" not in message and "fr.yaml" not in message


def test_consumer_after_notice_across_into_missing_half_year_stops():
    with pytest.raises(MissingFigure, match="Legal interest rate.*2026H2") as raised:
        interest.compute(number="F-1", amount="1500.00", due_date=D(2026, 5, 1),
                         on=D(2026, 7, 2), debtor=CONSUMER, notice_date=D(2026, 6, 1))
    assert raised.value.name == "legal_interest_rate_other"


def test_a_typed_rate_under_the_floor_is_refused():
    with pytest.raises(InterestError, match=r"under the legal floor of 7\.86 %.*2026H1"):
        interest.compute(number="F-1", amount="7200.00", due_date=D(2026, 1, 31),
                         on=D(2026, 3, 2), contract_rate="7.85", rate_typed=True)


def test_several_invoices_add_their_rounded_amounts():
    a = interest.compute(number="A", amount="7200.00", due_date=D(2026, 1, 31), on=D(2026, 3, 2))
    b = interest.compute(number="B", amount="2400.00", due_date=D(2026, 2, 15), on=D(2026, 3, 2),
                         payments=[(D(2026, 2, 20), "400.00")])
    # B: 2400 × 12.15 % = 291.60 × 5 / 365 = 3.9945…; 2000 × 12.15 % = 243 × 10 / 365 = 6.6575…
    # 10.6520 → 10.65
    assert b.interest == EUR("10.65") and b.unpaid == EUR("2000.00")
    total = interest.total_claim([a, b])
    assert total == {"unpaid": EUR("9200.00"), "interest": EUR("82.55"),
                     "indemnity": EUR("80.00"), "total": EUR("9362.55")}
    assert BUSINESS == a.debtor
