"""The ladder's letter steps: the formal notice (sent to the client) and the recourse file.

    execute(action) -> LetterResult(document, sent_message, note)

``action`` is a ``DunningAction`` of step ``formal_notice`` or ``recourse`` in state "ready".
Both are dated the day they are carried out (``on``, given by ``actions.execute``): a notice
approved a few days after the run decided it is dated, and its interest computed to, the day it
is sent. A retry the same day gives back the same records (the notice and the e-mail are
idempotent per engagement, invoices and day, and per action).

- formal_notice: ``issue_formal_notice`` for the action's invoice, then the PDF is e-mailed
  to the client through the mail adapter (``send_recorded``: proof of sending recorded, with
  the attachment's SHA-256), once per action (idempotency key ``dunning:<action pk>``).
  Once sent, the engagement moves to "Formal notice sent" (``mark_notice_sent``).
- recourse: ``build_recourse_file`` for the invoice's engagement, and the expert is told by
  e-mail, with the summary PDF attached (the zip stays in private storage, downloaded from
  the admin).

Anything that stops the step (a missing figure, a paid invoice) raises: the caller marks the
action failed with the message, to be retried from the admin.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..documents.formatting import date as fmt_date
from ..documents.formatting import money as fmt_money
from ..models import Engagement, IssuedDocument, StepKind
from ..services.mail import send_recorded
from ..services.status import change_status
from ..status import Origin, Status, can_transition, origin_allowed
from .notices import issue_formal_notice
from .recourse import build_recourse_file


@dataclass(frozen=True)
class LetterResult:
    document: object = None
    sent_message: object = None
    note: str = ""


def _read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def mark_notice_sent(notice, *, user=None):
    """Move the notice's engagement to "Formal notice sent" once it has gone out.

    Only from a status the table lets the dunning service leave for it (overdue), checked
    against the stored status under the row lock: a second notice, a retry, or an engagement
    already paid or back in progress changes nothing. Returns the StatusChange or None.
    """
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=notice.engagement_id)
        current = engagement.status
        if not (can_transition(current, Status.FORMAL_NOTICE)
                and origin_allowed(current, Status.FORMAL_NOTICE, Origin.DUNNING)):
            return None
        return change_status(engagement, Status.FORMAL_NOTICE, user=user,
                             note=_("Formal notice %(number)s sent.") % {
                                 "number": notice.number},
                             origin=Origin.DUNNING)


def send_notice(notice, *, idempotency_key="", related=None, user=None):
    """E-mail a formal notice's PDF to the client; the adapter records the proof of sending,
    then the engagement moves to "Formal notice sent" (when its status allows it)."""
    engagement = notice.engagement
    lang = notice.language
    with override(lang):
        subject = _("Formal notice %(number)s: %(total)s to pay by %(deadline)s") % {
            "number": notice.number, "total": fmt_money(notice.total, lang),
            "deadline": fmt_date(notice.deadline_date, lang)}
        body = _(
            "Hello,\n\nPlease find attached our formal notice %(number)s (mise en demeure) "
            "about quote %(quote)s. It claims %(total)s, to be paid within %(days)s days, by "
            "%(deadline)s at the latest.\n\n%(seller)s\n") % {
            "number": notice.number, "quote": engagement.number,
            "total": fmt_money(notice.total, lang), "days": notice.deadline_days,
            "deadline": fmt_date(notice.deadline_date, lang),
            "seller": engagement.identity.legal_name}
    message = send_recorded(
        owner=notice.owner, to=engagement.client.email, subject=subject, body=body,
        language=lang, kind="formal_notice", engagement=engagement,
        attachments=[(f"{notice.number}.pdf", _read(notice.document.pdf))],
        related=related or notice, idempotency_key=idempotency_key, immediately=True)
    mark_notice_sent(notice, user=user)
    return message


def tell_expert(record, *, idempotency_key="", related=None):
    """E-mail the expert that a recourse file is ready, with its summary attached."""
    owner, engagement = record.owner, record.engagement
    if not owner.email:
        return None
    summary = IssuedDocument.objects.get(pk=record.manifest["summary_document"])
    lang = summary.language
    with override(lang):
        subject = _("Recourse file ready for %(quote)s: %(procedure)s") % {
            "quote": engagement.number, "procedure": record.get_procedure_display()}
        body = _(
            "The invoices of %(quote)s (%(client)s) are still unpaid 45 days after their due "
            "date. The recourse file is ready in the admin (engagement, \"Late interest and "
            "formal notice\"): claim %(total)s incl. interest, suggested procedure: "
            "%(procedure)s.\n%(warnings)s\nThe summary is attached; the zip holds every "
            "piece with its SHA-256.\n") % {
            "quote": engagement.number, "client": engagement.client.name,
            "total": fmt_money(record.claim_total, lang),
            "procedure": record.get_procedure_display(),
            "warnings": "\n".join(record.warnings)}
    return send_recorded(
        owner=owner, to=owner.email, subject=subject, body=body, language=lang,
        kind="recourse", engagement=engagement,
        attachments=[("recourse-summary.pdf", _read(summary.pdf))],
        related=related or record, idempotency_key=idempotency_key, immediately=True)


def execute(action, *, on=None, user=None):
    """Carry out the letter step ``action`` on ``on`` (the day it is sent; by default the day
    the run decided it)."""
    on = on or action.decided_on
    invoice = action.invoice
    engagement = invoice.engagement
    key = f"dunning:{action.pk}"
    if action.step == StepKind.FORMAL_NOTICE:
        notice = issue_formal_notice(engagement, invoices=[invoice], on=on, user=user)
        message = send_notice(notice, idempotency_key=key, related=action, user=user)
        return LetterResult(document=notice.document, sent_message=message,
                            note=_("Formal notice %(number)s sent to %(to)s.") % {
                                "number": notice.number, "to": engagement.client.email})
    if action.step == StepKind.RECOURSE:
        record = build_recourse_file(engagement, on=on)
        message = tell_expert(record, idempotency_key=key, related=action)
        summary = IssuedDocument.objects.get(pk=record.manifest["summary_document"])
        return LetterResult(document=summary, sent_message=message,
                            note=_("Recourse file prepared (%(procedure)s, %(total)s).") % {
                                "procedure": record.get_procedure_display(),
                                "total": record.claim_total})
    raise ValueError(f"letters.execute handles the formal notice and recourse steps, not "
                     f"{action.step!r}.")
