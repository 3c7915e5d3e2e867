"""What the client's page shows about dunning: the reminders received and what is overdue.

Each overdue invoice shows what is left to pay and the amount due today with the late
interest the law allows (``claims.statement``): between businesses from the day after the due
date, plus the fixed 40 EUR recovery indemnity; for a consumer, legal interest only from a
formal notice, never a fee. When a half-year's figure is missing the interest cannot be
computed: the row shows the amount without interest and says so in plain words (never a
guessed rate, never an error page).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..documents.formatting import date as format_date
from ..documents.formatting import money as format_money
from ..models import ActionState, DunningAction
from . import claims, interest
from .receivables import ZERO, open_invoices, outstanding_many


def today():
    return timezone.localdate()


def _with_interest(invoice, left, on, lang):
    """The row of one overdue invoice: left to pay, interest, indemnity, total due on ``on``."""
    row = {"number": invoice.number, "due_date": format_date(invoice.due_date, lang),
           "left": format_money(left, lang), "days": (on - invoice.due_date).days,
           "interest": "", "indemnity": "", "total": format_money(left, lang),
           "interest_note": ""}
    try:
        found = claims.statement(invoice, on)
    except interest.InterestError:
        with override(lang):
            row["interest_note"] = _(
                "The late interest on this invoice cannot be computed today: the official rate "
                "for the period has not been published yet. The amount shown does not include "
                "it.")
        return row, left
    due = left + found.interest + found.indemnity
    if found.interest > 0:
        row["interest"] = format_money(found.interest, lang)
    if found.indemnity > 0:
        row["indemnity"] = format_money(found.indemnity, lang)
    row["total"] = format_money(due, lang)
    return row, due


def client_dunning(engagement, lang, on=None):
    """Reminders sent to the client for this engagement (newest first), and per overdue
    invoice the amount left and the amount due on ``on`` (today) with interest, in the
    client's language. No state change."""
    on = on or today()
    sent = (DunningAction.objects.filter(invoice__engagement=engagement, state=ActionState.DONE)
            .select_related("invoice", "sent_message").order_by("-completed_on", "-pk"))
    reminders = [{
        "date": format_date(action.sent_message.sent_at.date() if action.sent_message
                            else action.completed_on, lang),
        "step": action.get_step_display(), "number": action.invoice.number,
        "subject": action.sent_message.subject if action.sent_message else "",
    } for action in sent]
    invoices = list(open_invoices().filter(engagement=engagement, due_date__lt=on)
                    .select_related("engagement__client"))
    left = outstanding_many(invoices, on)
    overdue, total, missing = [], ZERO, False
    for invoice in invoices:
        if left[invoice.pk] <= 0:
            continue
        row, due = _with_interest(invoice, left[invoice.pk], on, lang)
        missing = missing or bool(row["interest_note"])
        overdue.append(row)
        total += due
    return {"reminders": reminders, "overdue": overdue,
            "overdue_total": format_money(total, lang) if overdue else "",
            "interest_missing": missing}
