"""Late interest on an unpaid invoice, computed line by line from the dated figures.

The law (fr-rules.md sections 6 and 10):

- Between businesses (C. com. L441-10 II, D441-5) penalties run from the day after the due
  date, with no reminder needed, at the contract's rate. That rate is never below 3 × the legal
  interest rate ("other cases") of each half-year: where the agreed rate is lower, the floor of
  that half-year applies and the line says so. When the contract states no rate (it then
  refers to the law's default), the rate is the ECB refinancing rate in force on 1 January
  (first half-year) or 1 July (second half-year) + 10 points. Plus a fixed 40 EUR recovery
  indemnity per late invoice.
- Against a consumer (C. civ. 1231-6, 1344-1; CPCE L111-8) only legal interest, at the
  "other cases" rate (the creditor is a business), and only from the formal notice; no
  indemnity, no fees.

Arithmetic: simple interest, unpaid amount incl. VAT × rate × days / 365. The days counted
are those after the start (due date, or notice date) up to and including the payment day or
``on``: a payment made on day D reduces the base from D + 1, so paying on the due date + 1 is
one day late (SCENARIOS.md "days late = payment date − due date"). Periods
are split at each payment and at each half-year boundary (30 June / 31 December), since the
rate may change there.

Rounding rule ``interest.total_once_half_up`` (ROUNDING_RULE): each line's amount is kept
exact (printed to 4 decimals and marked unrounded); the interest of one invoice is the exact
sum of its lines rounded once, half up, to the cent. (Rounding each line would differ: S2's
partial payment gives 82.88 that way instead of the 82.89 the scenarios fix.) A statement
covering several invoices adds the per-invoice rounded amounts.

Figures come from terms_kit/compliance/params (fr.yaml, plus the host project's
COMPLIANCE_EXTRA_FIGURES file, plus the half-years a superuser recorded in the admin). A
half-year whose figure is missing stops the computation with ``MissingFigure``: its message
tells the expert what is missing and who records it; the developer hint (file, setting) goes
to the log. Never a guess.
"""

import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..compliance import params
from ..compliance.formatting import day as day_text
from ..compliance.params import MissingParameter

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
SHOWN = Decimal("0.0001")
HUNDRED = Decimal("100")
YEAR_DAYS = Decimal("365")
ROUNDING_RULE = "interest.total_once_half_up"

BUSINESS = "business"
CONSUMER = "consumer"

# Why a line has the rate it has.
RATE_CONTRACT = "contract"  # the rate agreed in the quote
RATE_FLOOR = "floor"  # 3 × legal rate, the agreed rate being lower that half-year
RATE_ECB = "ecb_plus_points"  # ECB rate of the half-year + 10 points (terms silent)
RATE_LEGAL = "legal"  # legal interest rate, "other cases" (consumer debtor)

LEGAL_OTHER = "legal_interest_rate_other"
ECB = "ecb_reference_rate"


class InterestError(ValueError):
    """Bad input for an interest computation; the message says what to change."""


class MissingFigure(InterestError):
    """A figure the computation needs is not in the params for that half-year."""

    def __init__(self, name, half_year, on):
        self.name, self.half_year, self.on = name, half_year, on
        logger.warning(
            "Figure %s is missing for %s: a superuser records it in the admin (Settings > "
            "Official figures), or add {from: %s, to: %s, value: \"x.xx\", source: \"...\"} "
            "to terms_kit/compliance/params/fr.yaml or the TERMS_KIT['COMPLIANCE_EXTRA_FIGURES'] "
            "file.", name, half_year, on.isoformat(), half_year_end(on).isoformat())
        title = params.all_parameters()[name].title_in(get_language())
        super().__init__(_(
            "The official figure “%(figure)s” for %(half)s has not been recorded yet, so the "
            "interest cannot be computed after %(start)s. Ask your site administrator to record "
            "the new figure (Settings › Official figures), then compute again. Nothing was "
            "computed or stored."
        ) % {"figure": title, "half": half_year,
             "start": day_text(on - datetime.timedelta(days=1))})


def half_year_start(day):
    return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day):
    return datetime.date(day.year, 6, 30) if day.month <= 6 else datetime.date(day.year, 12, 31)


def half_year_label(day):
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def _figure(name, day):
    start = half_year_start(day)
    try:
        found = params.period(name, start)
    except MissingParameter:
        raise MissingFigure(name, half_year_label(day), start) from None
    if found.end is not None and found.end < half_year_end(day):
        # A figure must hold for the whole half-year (they are set per half-year).
        raise MissingFigure(name, half_year_label(day), found.end + datetime.timedelta(days=1))
    return found


@dataclass(frozen=True)
class HalfYearRate:
    rate: Decimal
    basis: str
    source: str
    floor: Decimal | None = None


def business_rate(day, contract_rate, *, typed=False):
    """The annual rate (in %) for the half-year of ``day`` between businesses.

    ``contract_rate`` None means the terms refer to the law's default (ECB + 10 points).
    ``typed``: the rate was typed for this computation (not the accepted contract's), so a rate
    under the floor is refused instead of being raised to the floor.
    """
    if contract_rate is None:
        ecb = _figure(ECB, day)
        points = params.value("late_penalty_default_points", half_year_start(day))
        return HalfYearRate(ecb.value + points, RATE_ECB, ecb.source)
    contract_rate = Decimal(contract_rate)
    if contract_rate < 0:
        raise InterestError(_("A late-penalty rate cannot be negative (%(rate)s %%): enter the "
                              "rate in %% a year.") % {"rate": contract_rate})
    legal = _figure(LEGAL_OTHER, day)
    multiplier = params.value("late_penalty_floor_multiplier", half_year_start(day))
    floor = multiplier * legal.value
    if contract_rate >= floor:
        return HalfYearRate(contract_rate, RATE_CONTRACT, "", floor)
    if typed:
        raise InterestError(_(
            "A late-penalty rate of %(rate)s %% is under the legal floor of %(floor)s %% for "
            "%(half)s (%(multiplier)s × the legal interest rate of %(legal)s %%, C. com. "
            "L441-10 II): enter %(floor)s %% or more. Nothing was computed or stored."
        ) % {"rate": contract_rate.normalize(), "floor": floor.normalize(),
             "half": half_year_label(day), "multiplier": multiplier.normalize(),
             "legal": legal.value.normalize()})
    return HalfYearRate(floor, RATE_FLOOR, legal.source, floor)


def consumer_rate(day):
    legal = _figure(LEGAL_OTHER, day)
    return HalfYearRate(legal.value, RATE_LEGAL, legal.source)


@dataclass(frozen=True)
class Line:
    start: datetime.date  # first day counted
    end: datetime.date  # last day counted (inclusive)
    base: Decimal  # unpaid amount incl. VAT over the period
    rate: Decimal  # % a year
    basis: str  # RATE_*
    days: int
    amount: Decimal  # exact (unrounded)

    def as_json(self):
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(),
            "half_year": half_year_label(self.start), "base": str(self.base),
            "rate": str(self.rate.normalize()), "rate_basis": self.basis, "days": self.days,
            "amount_unrounded": str(self.amount.quantize(SHOWN, rounding=ROUND_HALF_UP)),
        }


@dataclass(frozen=True)
class Statement:
    """The interest on one invoice up to ``on`` (inclusive)."""

    number: str
    debtor: str
    amount: Decimal  # what the invoice asks for, incl. VAT
    due_date: datetime.date
    on: datetime.date
    runs_from: datetime.date | None  # first day interest counts; None: not running yet
    payments: tuple  # ((date, Decimal), ...) taken into account (paid on or before ``on``)
    lines: tuple = field(default_factory=tuple)
    interest: Decimal = Decimal("0.00")
    indemnity: Decimal = Decimal("0.00")
    unpaid: Decimal = Decimal("0.00")
    note: str = ""

    @property
    def days_late(self):
        return max((self.on - self.due_date).days, 0)

    @property
    def total(self):
        """Unpaid principal + interest + indemnity: what the creditor may claim on ``on``."""
        return self.unpaid + self.interest + self.indemnity

    def as_json(self):
        return {
            "invoice": self.number, "debtor": self.debtor, "amount": str(self.amount),
            "due_date": self.due_date.isoformat(), "on": self.on.isoformat(),
            "days_late": self.days_late,
            "runs_from": self.runs_from.isoformat() if self.runs_from else None,
            "payments": [{"date": d.isoformat(), "amount": str(a)} for d, a in self.payments],
            "unpaid": str(self.unpaid),
            "lines": [line.as_json() for line in self.lines],
            "interest": str(self.interest), "indemnity": str(self.indemnity),
            "total": str(self.total), "rounding": ROUNDING_RULE, "note": self.note,
        }


def _split(start_exclusive, end_inclusive):
    """(a, b] cut at half-year ends: yields (first day, last day, days)."""
    a = start_exclusive
    while a < end_inclusive:
        first = a + datetime.timedelta(days=1)
        last = min(end_inclusive, half_year_end(first))
        yield first, last, (last - a).days
        a = last


def compute(*, number, amount, due_date, on, payments=(), debtor=BUSINESS, contract_rate=None,
            rate_typed=False, notice_date=None, indemnity=None):
    """The interest statement of one invoice on ``on``.

    ``payments``: (date, amount) received for this invoice. ``notice_date``: the formal
    notice's date (consumers: interest runs from the day after it). ``indemnity``: the fixed
    recovery indemnity (businesses; None → the figure of the day after the due date).
    """
    amount = Decimal(amount)
    if debtor not in (BUSINESS, CONSUMER):
        raise InterestError(_("The debtor is a business or a consumer, not %r.") % debtor)
    if amount <= 0:
        raise InterestError(_("Invoice %(number)s asks for nothing (%(amount)s): there is no "
                              "interest on it.") % {"number": number, "amount": amount})
    if due_date is None:
        raise InterestError(_("Invoice %(number)s has no due date: interest cannot run "
                              "without one.") % {"number": number})
    taken = tuple(sorted(((d, Decimal(a)) for d, a in payments if d <= on), key=lambda p: p[0]))
    unpaid = amount - sum((a for _d, a in taken), Decimal("0"))
    unpaid = max(unpaid, Decimal("0.00"))

    if debtor == BUSINESS:
        runs_from = due_date
        rate_for = lambda day: business_rate(day, contract_rate, typed=rate_typed)  # noqa: E731
        note = ""
    else:
        runs_from = notice_date
        rate_for = consumer_rate
        note = "" if notice_date else _(
            "Against a consumer, interest runs only from the formal notice (C. civ. 1344-1); "
            "none has been sent for this invoice.")

    lines = []
    if runs_from is not None and on > runs_from:
        base = amount
        for day, paid in taken:
            if day <= runs_from:
                base -= paid
        cursor = runs_from
        stops = [(d, a) for d, a in taken if d > runs_from] + [(on, Decimal("0"))]
        for stop, paid in stops:
            if base > 0 and stop > cursor:
                for first, last, days in _split(cursor, stop):
                    rate = rate_for(first)
                    exact = base * rate.rate / HUNDRED * days / YEAR_DAYS
                    lines.append(Line(first, last, base, rate.rate, rate.basis, days, exact))
            cursor = max(cursor, stop)
            base -= paid
    exact_total = sum((line.amount for line in lines), Decimal("0"))
    interest = exact_total.quantize(CENT, rounding=ROUND_HALF_UP)

    late = on > due_date and (unpaid > 0 or any(d > due_date for d, _a in taken))
    fee = Decimal("0.00")
    if debtor == BUSINESS and late:
        fee = Decimal(indemnity) if indemnity is not None else params.value(
            "recovery_indemnity_eur", due_date + datetime.timedelta(days=1))
        fee = fee.quantize(CENT)
    return Statement(number=number, debtor=debtor, amount=amount, due_date=due_date, on=on,
                     runs_from=runs_from, payments=taken, lines=tuple(lines), interest=interest,
                     indemnity=fee, unpaid=unpaid.quantize(CENT), note=note)


def total_claim(statements):
    """Principal, interest and indemnities of several invoices (each rounded once already)."""
    zero = Decimal("0.00")
    unpaid = sum((s.unpaid for s in statements), zero)
    interest = sum((s.interest for s in statements), zero)
    indemnity = sum((s.indemnity for s in statements), zero)
    return {"unpaid": unpaid, "interest": interest, "indemnity": indemnity,
            "total": unpaid + interest + indemnity}
