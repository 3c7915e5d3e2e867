"""Engagement statuses and the one table that says which change is allowed.

The flow follows the money: a quote is sent and accepted, the deposit falls due and is paid,
the work runs and is delivered, the balance falls due, is paid or goes overdue, then formal
notice. Milestone plans loop between ``in_progress`` and ``balance_due`` once per milestone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to client")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by client")
    EXPIRED = "expired", _("Expired")
    DEPOSIT_DUE = "deposit_due", _("Deposit due")
    IN_PROGRESS = "in_progress", _("Deposit paid / in progress")
    DELIVERED = "delivered", _("Delivered")
    BALANCE_DUE = "balance_due", _("Balance due")
    OVERDUE = "overdue", _("Overdue")
    FORMAL_NOTICE = "formal_notice", _("Formal notice sent")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn by consumer")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


S = Status

# from-status -> the statuses it may move to. Anything not listed is forbidden.
TRANSITIONS = {
    S.DRAFT: {S.SENT, S.CANCELLED},
    S.SENT: {S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED},
    # Acceptance leads to the deposit, or straight to the work when nothing is due upfront.
    S.ACCEPTED: {S.DEPOSIT_DUE, S.IN_PROGRESS, S.WITHDRAWN, S.CANCELLED},
    S.DEPOSIT_DUE: {S.IN_PROGRESS, S.OVERDUE, S.WITHDRAWN, S.CANCELLED},
    S.IN_PROGRESS: {S.DELIVERED, S.BALANCE_DUE, S.PAID, S.WITHDRAWN, S.CANCELLED},
    S.DELIVERED: {S.BALANCE_DUE, S.PAID},
    # A milestone invoice paid with work left returns to in_progress.
    S.BALANCE_DUE: {S.PAID, S.OVERDUE, S.IN_PROGRESS},
    S.OVERDUE: {S.PAID, S.FORMAL_NOTICE, S.IN_PROGRESS},
    S.FORMAL_NOTICE: {S.PAID, S.IN_PROGRESS, S.CANCELLED},
    S.PAID: {S.REFUNDED},
    S.WITHDRAWN: {S.REFUNDED},
    S.CANCELLED: {S.REFUNDED},
    S.DECLINED: set(),
    S.EXPIRED: set(),
    S.REFUNDED: set(),
}


def can_transition(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


def allowed_next(from_status):
    return sorted(TRANSITIONS.get(from_status, set()))
