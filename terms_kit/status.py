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
    SUPERSEDED = "superseded", _("Superseded by a revised quote")


S = Status

# from-status -> the statuses it may move to. Anything not listed is forbidden.
TRANSITIONS = {
    S.DRAFT: {S.SENT, S.CANCELLED},
    S.SENT: {S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED, S.SUPERSEDED},
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
    S.SUPERSEDED: set(),
}


def can_transition(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


def allowed_next(from_status):
    return sorted(TRANSITIONS.get(from_status, set()))


class Origin(models.TextChoices):
    """Who may make a status change.

    An expert picks only the ``MANUAL`` changes by hand; the others belong to the service
    that holds the evidence or the money (sending runs the compliance gate, acceptance
    records the client's consent, payments record what was received), so no view, task
    or command can make them without that evidence.
    """

    MANUAL = "manual", _("Changed by hand")
    ACCEPTANCE = "acceptance", _("Sending and client acceptance")
    PAYMENTS = "payments", _("Payments")
    DUNNING = "dunning", _("Dunning")


O = Origin
_MONEY = {O.PAYMENTS}

# (from, to) -> the origins allowed to make that change. Every pair of TRANSITIONS is here.
ORIGINS = {
    (S.DRAFT, S.SENT): {O.ACCEPTANCE},
    (S.DRAFT, S.CANCELLED): {O.MANUAL},
    (S.SENT, S.ACCEPTED): {O.ACCEPTANCE},
    (S.SENT, S.DECLINED): {O.MANUAL, O.ACCEPTANCE},
    (S.SENT, S.EXPIRED): {O.MANUAL, O.ACCEPTANCE},
    (S.SENT, S.CANCELLED): {O.MANUAL},
    # Sending a revision of the quote (services/revisions.py).
    (S.SENT, S.SUPERSEDED): {O.ACCEPTANCE},
    (S.ACCEPTED, S.DEPOSIT_DUE): _MONEY,
    (S.ACCEPTED, S.IN_PROGRESS): _MONEY,
    (S.ACCEPTED, S.WITHDRAWN): {O.ACCEPTANCE},
    (S.ACCEPTED, S.CANCELLED): {O.MANUAL, O.PAYMENTS},
    (S.DEPOSIT_DUE, S.IN_PROGRESS): _MONEY,
    (S.DEPOSIT_DUE, S.OVERDUE): _MONEY,
    (S.DEPOSIT_DUE, S.WITHDRAWN): {O.ACCEPTANCE},
    (S.DEPOSIT_DUE, S.CANCELLED): {O.MANUAL, O.PAYMENTS},
    # "Service completed" in Payments and invoices: it issues the final invoice with it.
    (S.IN_PROGRESS, S.DELIVERED): _MONEY,
    (S.IN_PROGRESS, S.BALANCE_DUE): _MONEY,
    (S.IN_PROGRESS, S.PAID): _MONEY,
    (S.IN_PROGRESS, S.WITHDRAWN): {O.ACCEPTANCE},
    (S.IN_PROGRESS, S.CANCELLED): {O.MANUAL, O.PAYMENTS},
    (S.DELIVERED, S.BALANCE_DUE): _MONEY,
    (S.DELIVERED, S.PAID): _MONEY,
    (S.BALANCE_DUE, S.PAID): _MONEY,
    (S.BALANCE_DUE, S.OVERDUE): _MONEY,
    (S.BALANCE_DUE, S.IN_PROGRESS): _MONEY,
    (S.OVERDUE, S.PAID): _MONEY,
    (S.OVERDUE, S.FORMAL_NOTICE): {O.DUNNING, O.MANUAL},
    (S.OVERDUE, S.IN_PROGRESS): _MONEY,
    (S.FORMAL_NOTICE, S.PAID): _MONEY,
    (S.FORMAL_NOTICE, S.IN_PROGRESS): _MONEY,
    (S.FORMAL_NOTICE, S.CANCELLED): {O.MANUAL},
    (S.PAID, S.REFUNDED): _MONEY,
    (S.WITHDRAWN, S.REFUNDED): _MONEY,
    (S.CANCELLED, S.REFUNDED): _MONEY,
}


def origin_allowed(from_status, to_status, origin):
    return origin in ORIGINS.get((from_status, to_status), set())


def manual_next(from_status):
    """The statuses an expert may choose by hand from ``from_status``."""
    return [to for to in allowed_next(from_status) if origin_allowed(from_status, to, O.MANUAL)]
