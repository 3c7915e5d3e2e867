"""Payment terms between businesses: longest term, late penalties, the 40 EUR indemnity."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import params
from ..formatting import day, number
from ..registry import rule

DUE_DAYS = "engagement.payment.due_days"
PENALTY = "engagement.payment.late_penalty_rate"
INDEMNITY = "engagement.payment.recovery_indemnity"


@rule("b2b.term_max", "error", "C. com. L441-10 I (fines: L441-16)",
      _lazy("A business payment term is at most 60 days from the invoice, or 45 days end of "
            "month"),
      field=DUE_DAYS)
def term_max(case):
    days = case.payment.due_days
    if not case.is_business or days is None:
        return
    if case.payment.due_basis == "end_of_month":
        longest = case.param("b2b_max_days_end_of_month")
        basis = _("days end of month")
    else:
        longest = case.param("b2b_max_days_from_invoice")
        basis = _("days from the invoice date")
    if days > longest:
        yield DUE_DAYS, _(
            "A payment term of %(days)s %(basis)s is longer than the law allows between "
            "businesses (%(longest)s %(basis)s): shorten the payment term."
        ) % {"days": days, "basis": basis, "longest": number(longest)}


@rule("b2b.penalty_rate", "error", "C. com. L441-10 II",
      _lazy("A business quote states a late-penalty rate of at least 3 × the legal interest "
            "rate of the half-year"),
      field=PENALTY, mention="b2b_terms")
def penalty_rate(case):
    if not case.is_business:
        return
    rate = case.payment.late_penalty_rate
    if rate is None:
        yield PENALTY, _(
            "Between businesses the payment conditions must state the late-penalty rate: fill "
            "in the late-penalty rate (% a year), at least 3 times the legal interest rate."
        )
        return
    if rate <= 0:
        yield PENALTY, _(
            "A late-penalty rate of %(rate)s %% is below the legal minimum, which is 3 times the "
            "legal interest rate: enter the late-penalty rate in %% a year, for example the "
            "rate the law applies by default (ECB rate + 10 points)."
        ) % {"rate": number(rate)}
        return
    try:
        legal = params.period("legal_interest_rate_other", case.on)
    except params.MissingParameter:
        lowest = plausible_floor(case.on)
        if lowest is not None and rate < lowest[0]:
            floor, legal = lowest
            yield PENALTY, _(
                "A late-penalty rate of %(rate)s %% is below the legal minimum. The legal "
                "interest rate of this half-year is not recorded yet, but it has not been under "
                "%(legal)s %% in the last ten years (%(source)s), so the minimum is at least "
                "%(floor)s %% (%(multiplier)s × %(legal)s %%): raise the late-penalty rate to "
                "%(floor)s %% or more."
            ) % {"rate": number(rate), "floor": number(floor), "legal": number(legal.value),
                 "source": legal.source,
                 "multiplier": number(case.param("late_penalty_floor_multiplier"))}
            return
        raise
    floor = case.param("late_penalty_floor_multiplier") * legal.value
    if rate < floor:
        yield PENALTY, _(
            "A late-penalty rate of %(rate)s %% is below the legal minimum of %(floor)s %% "
            "(%(multiplier)s × the legal interest rate of %(legal)s %% from %(since)s): raise "
            "the late-penalty rate to %(floor)s %% or more."
        ) % {"rate": number(rate), "floor": number(floor), "legal": number(legal.value),
             "since": day(legal.start),
             "multiplier": number(case.param("late_penalty_floor_multiplier"))}


@rule("b2b.indemnity", "error", "C. com. L441-10 II, D441-5",
      _lazy("A business quote states the fixed 40 EUR recovery indemnity"),
      field=INDEMNITY, mention="b2b_terms")
def indemnity(case):
    if not case.is_business:
        return
    amount = case.param("recovery_indemnity_eur")
    stated = case.payment.recovery_indemnity
    if stated is None:
        yield INDEMNITY, _(
            "Between businesses the payment conditions must state the fixed recovery indemnity "
            "of %(amount)s EUR: fill in the recovery indemnity field with %(amount)s."
        ) % {"amount": number(amount)}
    elif stated != amount:
        yield INDEMNITY, _(
            "The fixed recovery indemnity is set by law at %(amount)s EUR, not %(stated)s: enter "
            "%(amount)s (higher actual costs can be claimed on proof)."
        ) % {"amount": number(amount), "stated": number(stated)}


@rule("fac.b2b_terms", "error", "C. com. L441-9, L441-10 I; D441-5",
      _lazy("A business quote states its payment term and, if any, the early-payment "
            "discount with its period"),
      field=DUE_DAYS, mention="b2b_terms")
def b2b_terms(case):
    if not case.is_business:
        return
    payment = case.payment
    if payment.due_days is None:
        yield DUE_DAYS, _(
            "Between businesses the invoice must show its due date: fill in the payment term "
            "(e.g. 30 days from the invoice date)."
        )
    if payment.discount_percent and payment.discount_days is None:
        yield "engagement.payment.early_payment_discount_days", _(
            "An early-payment discount needs its period: fill in “within (days)”, or remove "
            "the discount (the invoice then says “pas d'escompte”)."
        )
    if payment.discount_days is not None and not payment.discount_percent:
        yield "engagement.payment.early_payment_discount_percent", _(
            "An early-payment period is given without a discount: fill in the discount (%) or "
            "empty the period."
        )


def plausible_floor(on):
    """(floor, period): 3 × the lowest legal rate of the ten years before ``on``, or None.

    Used while the figure of ``on``'s half-year is missing: whatever the new figure, the floor
    cannot plausibly fall under the lowest one of the last ten years, so a rate under this is
    an error now rather than a warning. Only the figures terms-kit holds count (the shipped
    files and those recorded in the admin), each with its source.
    """
    since = on.replace(year=on.year - 10) if not (on.month == 2 and on.day == 29) else (
        on.replace(year=on.year - 10, day=28))
    window = [candidate for candidate in params.periods_of("legal_interest_rate_other")
              if candidate.start <= on and (candidate.end is None or candidate.end >= since)]
    if not window:
        return None
    lowest = min(window, key=lambda candidate: candidate.value)
    return params.value("late_penalty_floor_multiplier", on) * lowest.value, lowest
