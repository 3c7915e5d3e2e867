"""The day's dunning decisions: ``run(on=date, dry_run=False)``.

For each open invoice (``receivables.open_invoices``), in batches of ``BATCH`` by primary
key, in one transaction per batch:

1. the batch's invoices are locked ``FOR UPDATE SKIP LOCKED`` (PostgreSQL): a second runner
   at the same time takes other invoices, never the same ones;
2. with a fixed number of queries whatever the batch size: amounts left (payments and credit
   notes up to that day), pauses in force, ladders, steps already decided;
3. each invoice gets at most one new step (``ladder.next_step``): never two steps the same
   day, never a step the ladder already took, none for an invoice paid, credited, cancelled
   or paused; automatic steps are made "ready", the others "awaiting approval";
4. the new steps and their "prepared" events are inserted in two queries; the database's
   unique keys (invoice, step) and (invoice, day) hold even if a locking assumption failed.

Steps waiting for approval or ready for an invoice that has since been paid or credited are
skipped, with why. Ready steps are carried out after the batch commits, in the background
(django-tasks, ``terms_kit.tasks.execute_dunning_actions``): reminder e-mails, and letters
each in their own task. A second run the same day finds every decision already taken and
does nothing. ``dry_run`` decides the same way and stores nothing.
"""

import datetime
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ActionState, DunningAction, DunningEvent, EventKind, StepMode
from ..services.plans import ladder_bases
from . import actions as dunning_actions
from .ladder import PENDING_STATES, ladder_for, load_ladders, next_step
from .pauses import paused_invoice_ids
from .receivables import CLOSED_INSTALMENT_STATES, open_invoices, outstanding_many

BATCH = 500


@dataclass
class Decision:
    invoice_id: int
    invoice_number: str
    owner_id: int
    step: str
    planned_on: datetime.date
    mode: str
    amount_due: object
    action_id: int | None = None

    def as_json(self):
        return {"invoice": self.invoice_number, "invoice_id": self.invoice_id,
                "owner_id": self.owner_id, "step": self.step,
                "planned_on": self.planned_on.isoformat(), "mode": self.mode,
                "amount_due": str(self.amount_due), "action_id": self.action_id}


@dataclass
class RunReport:
    on: datetime.date
    dry_run: bool
    examined: int = 0
    paused: int = 0
    settled: int = 0
    decisions: list = field(default_factory=list)
    skipped_pending: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def ready(self):
        return [d for d in self.decisions if d.mode == StepMode.AUTOMATIC]

    @property
    def awaiting_approval(self):
        return [d for d in self.decisions if d.mode == StepMode.APPROVAL]

    def as_json(self):
        return {"on": self.on.isoformat(), "dry_run": self.dry_run, "examined": self.examined,
                "paused": self.paused, "settled": self.settled, "batches": self.batches,
                "steps": [d.as_json() for d in self.decisions],
                "ready": len(self.ready), "awaiting_approval": len(self.awaiting_approval),
                "skipped_pending": self.skipped_pending, "seconds": round(self.seconds, 3)}


def run(on=None, dry_run=False, batch_size=BATCH, owner=None, execute=True):
    """Decide the day's steps. ``execute=False`` leaves ready steps for a later task."""
    on = on or timezone.localdate()
    report = RunReport(on=on, dry_run=dry_run)
    started = time.perf_counter()
    last = 0
    while True:
        ids, ready = _batch(on, last, batch_size, owner, dry_run, report)
        if ids is None:
            break
        report.batches += 1
        last = ids
        if ready and execute and not dry_run:
            dunning_actions.enqueue(ready, on)
    if not dry_run:
        report.skipped_pending = _skip_settled_pending(on, owner)
    report.seconds = time.perf_counter() - started
    return report


def _batch(on, after, size, owner, dry_run, report, retry=True):
    """One batch; returns (last pk, ready action ids) or (None, None) when there is none."""
    try:
        with transaction.atomic():
            return _decide_batch(on, after, size, owner, dry_run, report)
    except IntegrityError:
        # Another runner decided one of these invoices between our read and our insert
        # (only possible without row locks): read again, its decision now shows.
        if not retry:
            raise
        return _batch(on, after, size, owner, dry_run, report, retry=False)


class _Row:
    """What the decision needs of one invoice (read as plain values: no model instances,
    which would cost more than the decision itself)."""

    __slots__ = ("pk", "owner_id", "engagement_id", "number", "net", "due_date",
                 "instalment_id", "instalment_state", "engagement")

    def __init__(self, pk, owner_id, engagement_id, number, net, due_date, instalment_id,
                 instalment_state, status, client_id):
        self.pk, self.owner_id, self.engagement_id, self.number = (pk, owner_id,
                                                                  engagement_id, number)
        self.net, self.due_date, self.instalment_id = net, due_date, instalment_id
        self.instalment_state = instalment_state
        self.engagement = SimpleNamespace(status=status, client_id=client_id)


ROW_FIELDS = ("pk", "owner_id", "engagement_id", "number", "net", "due_date", "instalment_id",
              "instalment__state", "engagement__status", "engagement__client_id")


def _decide_batch(on, after, size, owner, dry_run, report):
    invoices = open_invoices(owner).filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked and not dry_run:
        invoices = invoices.select_for_update(skip_locked=True, of=("self",))
    # Keyset over the primary key: the last pk of this batch, whether or not it was locked.
    batch = [_Row(*values) for values in invoices.values_list(*ROW_FIELDS)[:size]]
    if not batch:
        return None, None
    report.examined += len(batch)
    left = outstanding_many(batch, on)
    paused = paused_invoice_ids(batch, on)
    ladders = load_ladders(batch)
    # After a missed instalment plan the ladder counts from the missed instalment's date.
    bases = ladder_bases(batch)
    taken = {}
    for invoice_id, step, state, decided_on, completed_on in DunningAction.objects.filter(
            invoice_id__in=[i.pk for i in batch]).values_list(
            "invoice_id", "step", "state", "decided_on", "completed_on"):
        taken.setdefault(invoice_id, {})[step] = SimpleNamespace(
            state=state, decided_on=decided_on, completed_on=completed_on)
    new = []
    for invoice in batch:
        if left[invoice.pk] <= 0 or invoice.instalment_state in CLOSED_INSTALMENT_STATES:
            report.settled += 1
            continue
        if invoice.engagement.status in dunning_actions.STOPPED_STATUSES:
            report.settled += 1
            continue
        if invoice.pk in paused:
            report.paused += 1
            continue
        mine = taken.get(invoice.pk, {})
        if any(a.decided_on == on for a in mine.values()):
            continue  # never two steps the same day (and a second run does nothing)
        ladder = ladder_for(invoice, ladders)
        found = next_step(invoice, ladder, mine, on, base=bases.get(invoice.pk))
        if found is None:
            continue
        step, planned = found
        decision = Decision(invoice.pk, invoice.number, invoice.owner_id, step, planned,
                            ladder.mode_for(step), left[invoice.pk])
        report.decisions.append(decision)
        new.append(decision)
    if dry_run or not new:
        return batch[-1].pk, []
    due = {invoice.pk: bases.get(invoice.pk) or invoice.due_date for invoice in batch}
    created = DunningAction.objects.bulk_create([
        DunningAction(owner_id=d.owner_id, invoice_id=d.invoice_id, step=d.step, mode=d.mode,
                      planned_on=d.planned_on, decided_on=on, amount_due=d.amount_due,
                      state=(ActionState.READY if d.mode == StepMode.AUTOMATIC
                             else ActionState.AWAITING_APPROVAL))
        for d in new])
    if any(a.pk is None for a in created):  # a database without RETURNING: read them back
        by_invoice = dict(DunningAction.objects.filter(
            invoice_id__in=[d.invoice_id for d in new], decided_on=on
        ).values_list("invoice_id", "pk"))
        for action, decision in zip(created, new, strict=True):
            action.pk = by_invoice[decision.invoice_id]
    for action, decision in zip(created, new, strict=True):
        decision.action_id = action.pk
    DunningEvent.objects.bulk_create([
        DunningEvent(owner_id=a.owner_id, invoice_id=a.invoice_id, action_id=a.pk, step=a.step,
                     planned_on=a.planned_on, happened_on=on,
                     kind=(EventKind.PREPARED if a.state == ActionState.READY
                           else EventKind.AWAITING_APPROVAL),
                     note=f"J+{(on - due[a.invoice_id]).days}")
        for a in created])
    return batch[-1].pk, [a.pk for a in created if a.state == ActionState.READY]


def _skip_settled_pending(on, owner):
    """Steps still waiting (approval, or ready) for an invoice now paid or cancelled:
    skipped, with why. Two queries plus one insert, whatever their number."""
    pending = DunningAction.objects.filter(
        state__in=PENDING_STATES,
        invoice__instalment__state__in=CLOSED_INSTALMENT_STATES)
    if owner is not None:
        pending = pending.filter(owner=owner)
    with transaction.atomic():
        rows = list(pending.select_related("invoice__instalment")
                    .select_for_update(skip_locked=True, of=("self",)))
        if not rows:
            return 0
        DunningAction.objects.filter(pk__in=[a.pk for a in rows]).update(
            state=ActionState.SKIPPED, updated_at=timezone.now())
        DunningEvent.objects.bulk_create([
            DunningEvent(owner_id=a.owner_id, invoice_id=a.invoice_id, action_id=a.pk,
                         step=a.step, planned_on=a.planned_on, happened_on=on,
                         kind=EventKind.SKIPPED,
                         note=_("the invoice is %(state)s") % {
                             "state": a.invoice.instalment.get_state_display().lower()})
            for a in rows])
    return len(rows)
