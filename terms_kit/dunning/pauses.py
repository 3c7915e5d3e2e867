"""Pausing the dunning of an invoice or of every invoice of a client, and resuming it.

A pause needs a reason and an end date (today or later); it is a record, never edited:
resuming early adds a ``PauseEnd``. Sources: set by hand, a dispute, a promise to pay, an
instalment plan (``dunning-plan`` pauses the covered invoices with source "plan" and
resumes them at the first missed instalment).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import DunningError
from ..models import Client, DunningEvent, DunningPause, EventKind, Invoice, PauseEnd, PauseSource


def _label(user):
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:200]


def pause(target, *, reason, until, source=PauseSource.MANUAL, user=None, on=None):
    """Pause ``target`` (an Invoice or a Client) from ``on`` (today) to ``until`` included.

    Raises DunningError (nothing stored) for a missing reason, a missing or past end date,
    an unknown source or a target that is neither an invoice nor a client.
    """
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not isinstance(target, (Invoice, Client)):
        raise DunningError(_("Only an invoice or a client can be paused."), field="target")
    if not reason:
        raise DunningError(_(
            "Give the reason for the pause (a dispute, a promise to pay...): it is kept in "
            "the dunning history."), field="reason")
    if len(reason) > 500:
        raise DunningError(_("Keep the reason under 500 characters."), field="reason")
    if until is None:
        raise DunningError(_(
            "Give the date the pause ends: dunning resumes on the day after it."),
            field="until")
    if until < on:
        raise DunningError(_(
            "The end date %(until)s is already past: choose today or a later date.")
            % {"until": until.isoformat()}, field="until")
    if source not in PauseSource.values:
        raise DunningError(_("Unknown pause source %(source)r: use one of %(choices)s.") % {
            "source": source, "choices": ", ".join(PauseSource.values)}, field="source")
    with transaction.atomic():
        record = DunningPause.objects.create(
            owner_id=target.owner_id,
            invoice=target if isinstance(target, Invoice) else None,
            client=target if isinstance(target, Client) else None,
            reason=reason, source=source, starts_on=on, until=until,
            created_by=user, created_by_label=_label(user),
        )
        for invoice in _invoices_of(target):
            DunningEvent.objects.create(
                owner_id=invoice.owner_id, invoice=invoice, kind=EventKind.PAUSED,
                note=f"{reason} ({record.get_source_display()}) → {until.isoformat()}",
                by=user, by_label=_label(user), happened_on=on)
    return record


def resume(target, *, user=None, note="", on=None):
    """End every pause of ``target`` still running on ``on`` (today): dunning resumes that
    day. Returns the ``PauseEnd`` records (none when nothing was paused)."""
    on = on or timezone.localdate()
    field = "invoice" if isinstance(target, Invoice) else "client"
    if not isinstance(target, (Invoice, Client)):
        raise DunningError(_("Only an invoice or a client can be resumed."), field="target")
    ends = []
    with transaction.atomic():
        # Lock the target's pauses (of="self": not the outer-joined end), then keep those
        # still running; the one-to-one PauseEnd makes a pause end once.
        candidates = list(DunningPause.objects.select_for_update(of=("self",))
                          .filter(**{field: target}, until__gte=on))
        ended = set(PauseEnd.objects.filter(pause__in=candidates)
                    .values_list("pause_id", flat=True))
        for record in candidates:
            if record.pk in ended:
                continue
            ends.append(PauseEnd.objects.create(
                pause=record, ended_on=on, note=(note or "")[:500], created_by=user,
                created_by_label=_label(user)))
        if ends:
            for invoice in _invoices_of(target):
                DunningEvent.objects.create(
                    owner_id=invoice.owner_id, invoice=invoice, kind=EventKind.RESUMED,
                    note=note or "", by=user, by_label=_label(user), happened_on=on)
    return ends


def _invoices_of(target):
    if isinstance(target, Invoice):
        return [target]
    from .receivables import open_invoices

    return list(open_invoices().filter(engagement__client=target))


def running_filter(on):
    """Q on DunningPause: the pauses in force on ``on``."""
    return (Q(starts_on__lte=on, until__gte=on)
            & (Q(end__isnull=True) | Q(end__ended_on__gt=on)))


def active_pause(invoice, on=None):
    """The pause in force for this invoice on ``on`` (its own or its client's), or None."""
    on = on or timezone.localdate()
    return (DunningPause.objects.filter(running_filter(on))
            .filter(Q(invoice=invoice) | Q(client_id=invoice.engagement.client_id))
            .order_by("-until", "pk").first())


def paused_invoice_ids(invoices, on):
    """{invoice pk: pause} for the invoices paused on ``on``, in one query."""
    invoices = list(invoices)
    by_client = {}
    for invoice in invoices:
        by_client.setdefault(invoice.engagement.client_id, []).append(invoice.pk)
    rows = DunningPause.objects.filter(running_filter(on)).filter(
        Q(invoice_id__in=[i.pk for i in invoices]) | Q(client_id__in=list(by_client)))
    paused = {}
    for record in rows:
        if record.invoice_id:
            paused.setdefault(record.invoice_id, record)
        else:
            for pk in by_client.get(record.client_id, ()):
                paused.setdefault(pk, record)
    return paused
