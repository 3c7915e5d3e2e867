"""What the client's page shows about dunning: the reminders received and what is overdue."""

from django.utils import timezone

from ..documents.formatting import date as format_date
from ..documents.formatting import money as format_money
from ..models import ActionState, DunningAction
from .receivables import open_invoices, outstanding_many


def client_dunning(engagement, lang, on=None):
    """Reminders sent to the client for this engagement (newest first), and the amount
    overdue today per invoice, in the client's language. A few queries, no state change."""
    on = on or timezone.localdate()
    sent = (DunningAction.objects.filter(invoice__engagement=engagement, state=ActionState.DONE)
            .select_related("invoice", "sent_message").order_by("-completed_on", "-pk"))
    reminders = [{
        "date": format_date(action.sent_message.sent_at.date() if action.sent_message
                            else action.completed_on, lang),
        "step": action.get_step_display(), "number": action.invoice.number,
        "subject": action.sent_message.subject if action.sent_message else "",
    } for action in sent]
    invoices = list(open_invoices().filter(engagement=engagement, due_date__lt=on))
    left = outstanding_many(invoices, on)
    overdue = [{"number": invoice.number, "due_date": format_date(invoice.due_date, lang),
                "left": format_money(left[invoice.pk], lang),
                "days": (on - invoice.due_date).days}
               for invoice in invoices if left[invoice.pk] > 0]
    total = sum((left[invoice.pk] for invoice in invoices), 0)
    return {"reminders": reminders, "overdue": overdue,
            "overdue_total": format_money(total, lang) if overdue else ""}
