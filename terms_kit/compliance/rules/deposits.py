"""Money a consumer pays before the service: its name, and the interest it earns."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..formatting import number
from ..registry import rule


@rule("devis.deposit_label", "error", "C. conso L214-1; C. civ. 1590",
      _lazy('Money a consumer pays in advance is called "acompte" or "arrhes"'),
      field="engagement.payment.deposit_label")
def deposit_label(case):
    if case.is_consumer and case.pays_before_service and not case.payment.deposit_label:
        yield "engagement.payment.deposit_label", _(
            "The consumer pays before the service but the quote does not say whether it is an "
            "“acompte” (a firm commitment: the whole price is due) or “arrhes” (either party may "
            "withdraw: the client loses them, you repay double). Unsaid, the law treats it as "
            "arrhes. Choose the deposit label."
        )


@rule("b2c.prepay_interest", "info", "C. conso L214-2",
      _lazy("A consumer's advance payment held more than 3 months earns legal interest"),
      field="engagement.payment.model")
def prepay_interest(case):
    if not (case.is_consumer and case.pays_before_service):
        return
    months = int(case.param("prepayment_interest_after_months"))
    credit_months = case.payment.time_credit_validity_months
    held_long = (case.start_date is not None
                 and case.start_date > _months_later(case.issue_date, months))
    if case.payment.model == "time_credit" and credit_months:
        held_long = held_long or credit_months > months
    if held_long:
        yield "engagement.payment.model", _(
            "Sums the consumer pays in advance and you hold more than %(months)s months before "
            "performing earn interest at the legal rate for the consumer: deduct it from what "
            "they owe at the end. Nothing to change in the quote."
        ) % {"months": number(months)}


@rule("b2c.unfair.credit_kept", "warning", "C. conso R212-2 2°; L212-1",
      _lazy("Keeping a consumer's unused prepaid hours is presumed unfair"),
      field="engagement.payment.unused_credit")
def credit_kept(case):
    # Between businesses the parties may agree that unused hours are lost: only the
    # consumer is protected by the presumption.
    if (case.is_consumer and case.payment.model == "time_credit"
            and case.payment.unused_credit == "kept"):
        yield "engagement.payment.unused_credit", _(
            "The consumer would lose the hours not used by the end of the validity period, "
            "with no reciprocal indemnity owed by you: such a clause is presumed unfair (C. "
            "conso R212-2 2°) and a court may set it aside. Choose to refund unused hours pro "
            "rata."
        )


def _months_later(day, months):
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > datetime.MAXYEAR:
        return datetime.date.max
    for last_day in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("every month has at least 28 days")
