from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from terms_kit.money import CENT, compute_totals, line_net, percent_of


def line(quantity, unit_price, vat_rate, discount=None):
    return SimpleNamespace(quantity=Decimal(quantity), unit_price=Decimal(unit_price),
                           vat_rate=Decimal(vat_rate), discount_percent=discount and Decimal(discount))


def test_s4_answer_at_20_percent_vat_rounds_to_25_euros():
    totals = compute_totals([line("1", "20.83", "20")])
    assert totals.total_vat == Decimal("4.17")  # 4.166 rounded half up
    assert totals.total_incl_vat == Decimal("25.00")


def test_vat_is_computed_once_per_rate_not_per_line():
    # Three lines of 0.05 at 10 %: per line the VAT would be 3 x 0.01 (0.005 rounded up);
    # per rate it is 0.15 x 10 % = 0.015 -> 0.02.
    totals = compute_totals([line("1", "0.05", "10")] * 3)
    assert totals.total_vat == Decimal("0.02")
    assert [(b.rate, b.base, b.vat) for b in totals.breakdown] == [
        (Decimal("10"), Decimal("0.15"), Decimal("0.02"))
    ]


def test_line_net_applies_discount_then_rounds_half_up():
    assert line_net(Decimal("3"), Decimal("33.335"), None) == Decimal("100.01")  # 100.005
    assert line_net(Decimal("1"), Decimal("1000"), Decimal("2.5")) == Decimal("975.00")


def test_deposit_share_rounds_once():
    assert percent_of(Decimal("14400.00"), Decimal("30")) == Decimal("4320.00")
    assert percent_of(Decimal("100.01"), Decimal("50")) == Decimal("50.01")  # 50.005


money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3)
rates = st.sampled_from([Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20")])
discounts = st.one_of(st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2))
lines = st.lists(st.builds(line, quantities, money, rates, discounts), min_size=1, max_size=15)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_totals_reconcile_to_the_cent(items):
    totals = compute_totals(items)
    amounts = [*totals.line_nets, totals.total_excl_vat, totals.total_vat, totals.total_incl_vat]
    assert all(amount == amount.quantize(CENT) for amount in amounts)
    # Lines add up to the bases, bases to the total excl. VAT, and excl. + VAT to incl.
    assert sum(totals.line_nets) == totals.total_excl_vat
    assert sum(b.base for b in totals.breakdown) == totals.total_excl_vat
    assert sum(b.vat for b in totals.breakdown) == totals.total_vat
    assert totals.total_excl_vat + totals.total_vat == totals.total_incl_vat
    # Each rate's VAT is within half a cent of the exact value.
    for b in totals.breakdown:
        assert abs(b.vat - b.base * b.rate / 100) <= Decimal("0.005")
    assert len({b.rate for b in totals.breakdown}) == len(totals.breakdown)
