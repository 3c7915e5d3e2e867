"""The shape of a payment schedule and the day each instalment falls due, from plain data.

``services/payments.py`` makes the stored schedule from these (``plan``, ``create_schedule``,
``due_after_invoice``) and the compliance checker reads the same from a spec (C. conso
L221-10, rules/b2c.py): the law is decided on the dates the schedule will carry, for every
payment model, not on the model's name. Nothing here reads or writes the database.
"""

import calendar
import datetime
from dataclasses import dataclass

# The values of models.payments.InstalmentKind and DueTrigger (plain strings, so the
# checker can use this module without the models).
DEPOSIT, MILESTONE, BALANCE, FULL = "deposit", "milestone", "balance", "full"
CREDIT_PACK, ACT, PREAUTHORISATION = "credit_pack", "act", "preauthorisation"
ACCEPTANCE, WITHDRAWAL_END = "acceptance", "withdrawal_end"
MILESTONE_DONE, COMPLETION, ON_ACT = "milestone_done", "completion", "act"

# Models whose deposit percentage makes a deposit instalment (others ignore it).
MODELS_WITH_DEPOSIT = ("deposit", "milestones")


@dataclass(frozen=True)
class Step:
    kind: str
    trigger: str
    milestone: int | None = None  # index of the milestone it pays

    @property
    def made_when_due(self):
        """A pay-per-act instalment is only made when the act is recorded."""
        return self.trigger == ON_ACT


def steps(model, *, has_deposit, milestone_count, self_paid_training):
    """The instalments the payment conditions call for, in order, without amounts."""
    if model == "full_prepayment":
        found = [Step(FULL, ACCEPTANCE)]
    elif model == "time_credit":
        found = [Step(CREDIT_PACK, ACCEPTANCE)]
    elif model == "preauthorisation":
        found = [Step(PREAUTHORISATION, ACCEPTANCE)]  # a card hold taken at signing
    elif model == "pay_per_act":
        return [Step(ACT, ON_ACT)]  # one per act, due the day the act is given
    elif model == "milestones":
        found = [Step(DEPOSIT, ACCEPTANCE)] if has_deposit else []
        found += [Step(MILESTONE, MILESTONE_DONE, index) for index in range(milestone_count)]
    elif model == "deposit" and has_deposit:
        found = [Step(DEPOSIT, ACCEPTANCE), Step(BALANCE, COMPLETION)]
    else:  # on completion, or a deposit model with no deposit
        found = [Step(BALANCE, COMPLETION)]
    if self_paid_training and found:
        # C. trav. L6353-6 (S6): nothing falls due before the withdrawal period ends.
        first, rest = found[0], found[1:]
        found = [Step(first.kind, WITHDRAWAL_END, first.milestone)] + [
            Step(step.kind, WITHDRAWAL_END, step.milestone) if step.trigger == ACCEPTANCE
            else step for step in rest]
    return found


def later(day, days):
    """``day`` + ``days``, or the last representable day (a typo of 10^9 days must give a
    verdict, not a crash)."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


def add_months(day, months):
    """The same day ``months`` later (the month's last day when that month is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_after(invoice_date, days, basis):
    """The due date of an invoice under the payment term (``days`` after it, or at the end
    of that month when ``basis`` is "end_of_month")."""
    due = later(invoice_date, days or 0)
    if basis == "end_of_month":
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def earliest_due(step, *, concluded, withdrawal_end, work_from, work_until, due_days,
                 due_basis):
    """The earliest day the schedule asks the client to pay ``step``.

    ``work_from`` / ``work_until``: the first and last day of the service as planned. A
    milestone or an act can be done as soon as the work starts, the service can be completed
    on its last day; invoices issued then fall due after the payment term.
    """
    if step.trigger == ACCEPTANCE:
        return concluded
    if step.trigger == WITHDRAWAL_END:
        return later(withdrawal_end or concluded, 1)
    if step.trigger == ON_ACT:
        return work_from
    if step.trigger == MILESTONE_DONE:
        return due_after(work_from, due_days, due_basis)
    return due_after(work_until, due_days, due_basis)  # COMPLETION


def earliest_dues(steps_, **dates):
    """``earliest_due`` of each step, in order. Instalments fall due in the schedule's
    order (a milestone is marked done only once the previous one is due and the deposit
    paid, services/payments.py), so none is earlier than the one before it."""
    found, floor = [], None
    for step in steps_:
        due = earliest_due(step, **dates)
        floor = due if floor is None else max(floor, due)
        found.append(floor)
    return found
