"""An S2 invoice left unpaid: accepted, deposit paid, first milestone done and invoiced."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from terms_kit.services import payments


def unpaid_milestone_invoice(accepted, capture, key="S2", change=None):
    """S2 accepted, its deposit (4 320.00) paid, the first milestone done: its invoice asks
    for 4 800.00 - 4 320.00 = 480.00, due 30 days after its issue."""
    engagement, link = accepted(key, change=change)
    with capture(execute=True):
        payments.record_payment(engagement, amount=D("4320.00"), paid_on=timezone.localdate(),
                                method="transfer")
    milestone = engagement.milestones.order_by("pk").first()
    with capture(execute=True):
        invoice = payments.mark_milestone_done(engagement, milestone)
    engagement.refresh_from_db()
    invoice.sent_link = link  # the client's link (its token opens the client page)
    return engagement, invoice


def day(invoice, offset):
    """The due date + ``offset`` days (J+offset)."""
    return invoice.due_date + datetime.timedelta(days=offset)


def unpaid_final_invoice_s5(accepted, capture):
    """S5 (a consumer): deposit 900.00 paid, the work completed: the final invoice asks for
    1 800.00 - 900.00 = 900.00, due 15 days after its issue."""
    engagement, _link = accepted("S5")
    with capture(execute=True):
        payments.record_payment(engagement, amount=D("900.00"), paid_on=timezone.localdate(),
                                method="cheque")
    with capture(execute=True):
        [invoice] = payments.mark_completed(engagement)
    engagement.refresh_from_db()
    return engagement, invoice
