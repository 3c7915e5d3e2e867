"""Money arithmetic: Decimal only, and each rounding tied to the rule that asks for it.

Rounding rules (half up, to the cent):
1. A line's net amount (quantity x unit price, less its discount) is rounded once, because it
   is printed on the invoice as such (CGI ann. II art. 242 nonies A, 9°; EN 16931 BT-131).
2. VAT is computed once per rate on the sum of the nets at that rate and rounded once
   (CGI ann. II art. 242 nonies A, 12°: "le total ... par taux"; EN 16931 BR-CO-17).
3. Totals are sums of already-rounded amounts, so they reconcile to the cent by construction.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


def to_cents(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity, unit_price, discount_percent=None):
    """Rule 1: the net amount of one line, excluding VAT."""
    gross = Decimal(quantity) * Decimal(unit_price)
    if discount_percent:
        gross = gross * (HUNDRED - Decimal(discount_percent)) / HUNDRED
    return to_cents(gross)


def percent_of(amount, percent):
    """A share of an amount (deposit, discount), rounded to the cent once."""
    return to_cents(Decimal(amount) * Decimal(percent) / HUNDRED)


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    base: Decimal
    vat: Decimal
    # Why a 0 % group has no VAT (terms_kit/vat/treatments.py): two 0 % lines with different
    # reasons (an exempt training and a reverse-charged service) are two groups, each with its
    # own mention and its own EN 16931 category.
    exemption: str = ""


@dataclass(frozen=True)
class Totals:
    line_nets: list = field(default_factory=list)
    breakdown: list = field(default_factory=list)  # one VatBreakdown a (rate, exemption), sorted
    total_excl_vat: Decimal = ZERO
    total_vat: Decimal = ZERO
    total_incl_vat: Decimal = ZERO


def compute_totals(lines):
    """Totals of lines having ``quantity``, ``unit_price``, ``vat_rate``, ``discount_percent``.

    ``lines`` may be model instances or any objects with those attributes (and optionally
    ``vat_exemption``, the reason a line has no VAT).
    """
    nets = []
    bases = OrderedDict()
    for line in lines:
        net = line_net(line.quantity, line.unit_price, line.discount_percent)
        nets.append(net)
        key = (Decimal(line.vat_rate or 0), getattr(line, "vat_exemption", "") or "")
        bases[key] = bases.get(key, ZERO) + net
    breakdown = [
        VatBreakdown(rate=rate, base=base, vat=to_cents(base * rate / HUNDRED),  # rule 2
                     exemption=exemption)
        for (rate, exemption), base in sorted(bases.items())
    ]
    total_excl_vat = sum((b.base for b in breakdown), ZERO)
    total_vat = sum((b.vat for b in breakdown), ZERO)
    return Totals(
        line_nets=nets,
        breakdown=breakdown,
        total_excl_vat=total_excl_vat,
        total_vat=total_vat,
        total_incl_vat=total_excl_vat + total_vat,
    )
