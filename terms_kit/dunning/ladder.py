"""Which ladder applies to an invoice, and which step (if any) is due on a given day.

The most specific ladder applies as a whole: the engagement's, else the client's, else the
expert's, else ``DEFAULT_LADDER``. After the due date the steps come in order (first
reminder, second reminder, formal notice, recourse); a step is due on
``due date + its days``, and never sooner after the step before it was done than the ladder's
own gap between them (a step approved late does not bring the next one closer). While a step
waits for approval or for its letter, or has failed, the next one waits too. The courtesy
notice is for the days before the due date only.
"""

import datetime
from types import SimpleNamespace

from ..models import ActionState, DunningLadder, StepKind
from ..models.dunning import DEFAULT_LADDER, LADDER_AFTER_DUE

# An earlier step in one of these states holds the ladder (a failed reminder is retried or
# skipped by the expert before the next one: "despite our previous reminder" must be true).
PENDING_STATES = (ActionState.AWAITING_APPROVAL, ActionState.READY, ActionState.FAILED)


def default_ladder():
    return SimpleNamespace(**DEFAULT_LADDER, days_for=lambda step: DEFAULT_LADDER[f"{step}_days"],
                           mode_for=lambda step: DEFAULT_LADDER[f"{step}_mode"], pk=None)


def load_ladders(invoices):
    """Every ladder the invoices may use, in one query: {("engagement"|"client"|"owner", pk)}."""
    invoices = list(invoices)
    owners = {i.owner_id for i in invoices}
    rows = DunningLadder.objects.filter(owner_id__in=owners)
    found = {}
    for ladder in rows:
        if ladder.engagement_id:
            found[("engagement", ladder.engagement_id)] = ladder
        elif ladder.client_id:
            found[("client", ladder.client_id)] = ladder
        else:
            found[("owner", ladder.owner_id)] = ladder
    return found


def ladder_for(invoice, ladders=None):
    """The ladder that applies to ``invoice`` (needs ``invoice.engagement`` loaded)."""
    if ladders is None:
        ladders = load_ladders([invoice])
    return (ladders.get(("engagement", invoice.engagement_id))
            or ladders.get(("client", invoice.engagement.client_id))
            or ladders.get(("owner", invoice.owner_id))
            or default_ladder())


def next_step(invoice, ladder, taken, on, base=None):
    """(step, planned date) due on ``on`` for this invoice, or None.

    ``taken``: {step: DunningAction} already decided for the invoice (any state).
    ``base``: the date the steps count from instead of the invoice's due date (after a
    missed instalment plan, that instalment's due date: services/plans.py ``ladder_bases``)."""
    if not ladder.enabled:
        return None
    due = base or invoice.due_date
    if on <= due:
        if (ladder.courtesy_enabled and StepKind.COURTESY not in taken
                and on >= due - datetime.timedelta(days=ladder.courtesy_days_before)
                and not any(step in taken for step in LADDER_AFTER_DUE)):
            return StepKind.COURTESY, due - datetime.timedelta(days=ladder.courtesy_days_before)
        return None
    previous = None
    for step in LADDER_AFTER_DUE:
        action = taken.get(step)
        if action is not None:
            if action.state in PENDING_STATES:
                return None  # wait for it
            previous = (step, action)
            continue
        planned = due + datetime.timedelta(days=ladder.days_for(step))
        if previous is not None:
            before_step, before = previous
            gap = ladder.days_for(step) - ladder.days_for(before_step)
            anchor = before.completed_on or before.decided_on
            planned = max(planned, anchor + datetime.timedelta(days=max(gap, 1)))
        return (step, planned) if on >= planned else None
    return None
