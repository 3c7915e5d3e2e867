"""Carrying out a dunning step: approving, skipping, sending the reminder e-mails.

Every state change of a ``DunningAction`` happens here (under its row lock) and is written to
the insert-only ``DunningEvent`` history. Before anything leaves, the step is checked again:
an invoice paid, credited or paused since the step was decided is skipped, with why.

Reminder e-mails (courtesy, first and second reminder) are rendered from the expert's own
text (``ReminderTemplate``) or the default one (``texts/<step>_<lang>.txt``; first line the
subject), always in the document sandbox (expert text is untrusted), with the invoice's PDF
attached, and sent through the mail adapter under the key ``dunning:<action pk>`` so a retry
never sends twice. Formal notices and recourse files are made by ``letters.execute``.
"""

import functools
import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..documents import formatting
from ..documents.sandbox import DocumentEnvironment
from ..exceptions import DunningError
from ..models import (
    ActionState,
    DunningAction,
    DunningEvent,
    EventKind,
    ReminderTemplate,
    StepKind,
)
from ..models.dunning import EMAIL_STEPS, LETTER_STEPS
from ..services.mail import send_recorded
from ..status import Status
from . import letters, pauses, receivables

logger = logging.getLogger(__name__)
TEXTS = Path(__file__).resolve().parent / "texts"
DEFAULT_INDEMNITY = "40"
STOPPED_STATUSES = (Status.PAID, Status.CANCELLED, Status.WITHDRAWN, Status.REFUNDED)


def _label(user):
    return (user.get_full_name() or user.get_username())[:200] if user is not None else ""


def event(action, kind, *, on, note="", user=None, sent_message=None, document=None):
    return DunningEvent.objects.create(
        owner_id=action.owner_id, invoice_id=action.invoice_id, action=action, step=action.step,
        planned_on=action.planned_on, kind=kind, note=note, by=user, by_label=_label(user),
        sent_message=sent_message, document=document, happened_on=on)


def why_not(action, on):
    """Why the step must not go out on ``on`` (paid, credited, paused...), or ""."""
    invoice = action.invoice
    instalment = invoice.instalment
    if instalment is not None and instalment.state in receivables.CLOSED_INSTALMENT_STATES:
        return _("the invoice is %(state)s") % {"state": instalment.get_state_display().lower()}
    if invoice.engagement.status in STOPPED_STATUSES:
        return _("the engagement is %(status)s") % {
            "status": invoice.engagement.get_status_display().lower()}
    if receivables.outstanding(invoice, on) <= 0:
        return _("nothing is left to pay on the invoice (paid or credited)")
    paused = pauses.active_pause(invoice, on)
    if paused is not None:
        return _("dunning is paused until %(until)s: %(reason)s") % {
            "until": paused.until.isoformat(), "reason": paused.reason}
    return ""


def _locked(action_id):
    return (DunningAction.objects.select_for_update(of=("self",))
            .select_related("invoice__engagement__client", "invoice__engagement__identity",
                            "invoice__instalment", "invoice__issued_document")
            .get(pk=action_id))


def execute(action_id, *, on=None, user=None):
    """Carry out a step that is ready (automatic, or approved). Idempotent: a step in any
    other state is left as it is. Returns the action."""
    on = on or timezone.localdate()
    try:
        with transaction.atomic():
            action = _locked(action_id)
            if action.state != ActionState.READY:
                return action
            reason = why_not(action, on)
            if reason:
                _skip(action, reason, on=on, user=None)
                return action
            if action.step in EMAIL_STEPS:
                message, document, note = send_reminder(action, on), None, ""
            else:
                result = letters.execute(action, on=on, user=user)
                message, document, note = result.sent_message, result.document, result.note
            action.state, action.completed_on = ActionState.DONE, on
            action.sent_message, action.document = message, document
            action.save(update_fields=["state", "completed_on", "sent_message", "document",
                                       "updated_at"])
            event(action, EventKind.SENT, on=on, note=note, user=user, sent_message=message,
                  document=document)
            return action
    except Exception as exc:  # the step failed: kept as failed, with why, for a retry
        logger.exception("dunning step %s failed", action_id)
        with transaction.atomic():
            action = _locked(action_id)
            if action.state == ActionState.READY:
                action.state = ActionState.FAILED
                action.save(update_fields=["state", "updated_at"])
                event(action, EventKind.FAILED, on=on, note=f"{type(exc).__name__}: {exc}",
                      user=user)
        return action


def _skip(action, reason, *, on, user):
    action.state = ActionState.SKIPPED
    action.save(update_fields=["state", "updated_at"])
    event(action, EventKind.SKIPPED, on=on, note=reason, user=user)


def approve(action, *, user=None, on=None):
    """The expert approves a prepared step (or retries a failed one): it goes out in the
    background after the commit. Raises DunningError when it is no longer waiting."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(action.pk)
        if locked.state not in (ActionState.AWAITING_APPROVAL, ActionState.FAILED):
            raise DunningError(_("This step is already %(state)s: nothing to approve.") % {
                "state": locked.get_state_display().lower()})
        locked.state = ActionState.READY
        locked.save(update_fields=["state", "updated_at"])
        event(locked, EventKind.APPROVED, on=on, user=user)
        transaction.on_commit(lambda: enqueue([locked.pk], on))
    return locked


def skip(action, *, reason, user=None, on=None):
    """The expert decides a step will not be taken (with why); the ladder goes on."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise DunningError(_("Say why this step is skipped: it is kept in the history."),
                           field="reason")
    with transaction.atomic():
        locked = _locked(action.pk)
        if locked.state not in (ActionState.AWAITING_APPROVAL, ActionState.READY,
                                ActionState.FAILED):
            raise DunningError(_("This step is already %(state)s: it cannot be skipped.") % {
                "state": locked.get_state_display().lower()})
        _skip(locked, reason[:2000], on=on, user=user)
    return locked


def enqueue(action_ids, on=None):
    """Queue the steps on django-tasks: one task for the reminders of a batch, one task per
    letter (LibreOffice work)."""
    from ..tasks import execute_dunning_actions

    if action_ids:
        execute_dunning_actions.enqueue([int(pk) for pk in action_ids],
                                        on.isoformat() if on else None)


# --- Reminder e-mails ------------------------------------------------------------------------

class TextEnvironment(DocumentEnvironment):
    """The document sandbox, for plain text (no HTML escaping: the e-mail is text/plain)."""

    def __init__(self, filters):
        super().__init__(filters)
        self.autoescape = False


@functools.cache
def _environment(lang):
    return TextEnvironment(formatting.filters_for(lang))


@functools.cache
def default_text(step, lang):
    source = (TEXTS / f"{step}_{lang}.txt").read_text(encoding="utf-8")
    subject, _sep, body = source.partition("\n")
    return subject, body


def render_text(subject, body, context, lang):
    """Subject and body rendered in the sandbox (raises the sandbox's errors)."""
    env = _environment(lang)
    rendered_subject = " ".join(env.from_string(subject).render(context).split())
    return rendered_subject, env.from_string(body).render(context).strip() + "\n"


def reminder_context(invoice, on, lang, amount=None):
    engagement = invoice.engagement
    client, identity = engagement.client, engagement.identity
    amount = receivables.outstanding(invoice, on) if amount is None else amount
    indemnity = engagement.recovery_indemnity or DEFAULT_INDEMNITY
    return {
        "client": client.contact_name or client.name, "seller": str(identity),
        "invoice_number": invoice.number,
        "issue_date": formatting.date(invoice.issue_date, lang),
        "due_date": formatting.date(invoice.due_date, lang),
        "amount_due": formatting.money(amount, lang),
        "days_late": max((on - invoice.due_date).days, 0),
        "iban": identity.iban or "",
        "is_business": not client.is_consumer,
        "late_penalty_rate": (formatting.percent(engagement.late_penalty_rate, lang)
                              if engagement.late_penalty_rate is not None else ""),
        "recovery_indemnity": formatting.money(indemnity, lang),
    }


SAMPLE_CONTEXT = {
    "client": "Marie Durand", "seller": "Conseil Martin", "invoice_number": "F-2026-0042",
    "issue_date": "1 mars 2026", "due_date": "31 mars 2026", "amount_due": "480,00 €",
    "days_late": 7, "iban": "FR76 3000 6000 0112 3456 7890 189", "is_business": True,
    "late_penalty_rate": "12 %", "recovery_indemnity": "40,00 €",
}


def client_language(invoice):
    engagement = invoice.engagement
    return engagement.client.language or engagement.language or "fr"


def reminder_message(invoice, step, on):
    """(subject, body, language) of the reminder ``step`` for ``invoice`` on ``on``."""
    lang = client_language(invoice)
    own = ReminderTemplate.objects.filter(owner_id=invoice.owner_id, step=step,
                                          language=lang).first()
    subject, body = (own.subject, own.body) if own else default_text(step, lang)
    with override(lang):
        return (*render_text(subject, body, reminder_context(invoice, on, lang), lang), lang)


def _invoice_pdf(invoice):
    document = invoice.document
    if document is None or not document.pdf:
        return []
    with document.pdf.storage.open(document.pdf.name, "rb") as handle:
        return [(f"{invoice.number}.pdf", handle.read(), "application/pdf")]


def send_reminder(action, on):
    invoice = action.invoice
    engagement = invoice.engagement
    if not engagement.client.email:
        raise DunningError(_("The client has no e-mail address: add one, then retry."))
    subject, body, lang = reminder_message(invoice, action.step, on)
    return send_recorded(
        owner=engagement.owner, engagement=engagement, to=[engagement.client.email],
        subject=subject, body=body, language=lang, kind=action.step,
        attachments=_invoice_pdf(invoice), related=action,
        idempotency_key=f"dunning:{action.pk}", reply_to=engagement.identity.email or None,
        immediately=True)


__all__ = ["approve", "execute", "skip", "enqueue", "why_not", "reminder_message",
           "StepKind", "LETTER_STEPS"]
