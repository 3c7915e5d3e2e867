"""Payments: the schedule, money received and given back, and the status that follows.

Contract (the other services, views, commands and provider webhooks call only these):

- ``create_schedule(engagement)``: the instalments of an accepted engagement, made from its
  payment conditions. Idempotent. Called inside the acceptance transaction.
- ``record_payment(engagement, *, amount, paid_on, method, reference="", user=None,
  instalment=None, provider="", provider_payment_id="")`` -> Payment. Allocates the amount to
  the open instalments (or to ``instalment``), issues the invoices due on receipt (deposit
  invoice, final invoice of a prepaid service), moves the status (origin PAYMENTS).
  Idempotent on (provider, provider_payment_id): a second call returns the first Payment and
  changes nothing (row lock + unique constraint, safe under concurrency). Raises
  PaymentRefused for an amount <= 0, an overpayment, an engagement not accepted, a consumer
  payment taken too early (training waiting period, off-premises 7 days).
- ``refund_payment(payment, *, amount, reason, user=None, provider_refund_id="")`` -> Refund
  (with its credit note when an invoice covered the money). Idempotent on provider_refund_id.
- ``may_start(engagement)`` -> MayStart(ok, reasons): "work may start".
- ``payments_sweep(on=None)``: instalments falling due and overdue, status to match.
  Idempotent; two runners at once are safe (each engagement under its row lock).
- Expert actions: ``mark_milestone_done``, ``mark_completed``, ``record_credit_use``,
  ``record_act``, ``secure_instalment`` / ``release_instalment`` (card holds, for providers).

Every function runs in one transaction, locks the engagement row first, and writes only
insert-only evidence (payments, allocations, invoices, refunds) plus instalment states.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MayStart:
    ok: bool
    reasons: list = field(default_factory=list)

    def __bool__(self):
        return self.ok


def create_schedule(engagement):
    """Make the instalments of an accepted engagement (idempotent); returns them in order."""
    raise NotImplementedError


def record_payment(engagement, *, amount, paid_on, method, reference="", user=None,
                   instalment=None, provider="", provider_payment_id=""):
    """Record money received (see the module docstring); returns the Payment."""
    raise NotImplementedError


def refund_payment(payment, *, amount, reason, user=None, provider_refund_id="",
                   refunded_on=None):
    """Give back ``amount`` of ``payment``; returns the Refund (credit note attached)."""
    raise NotImplementedError


def may_start(engagement, on=None):
    """Whether the work may start, and why not."""
    raise NotImplementedError


def payments_sweep(on=None):
    """Daily: instalments that fall due or go overdue on ``on`` (default today)."""
    raise NotImplementedError


def secure_instalment(instalment, *, reference, user=None):
    """A card hold secures a pre-authorisation instalment (work may start)."""
    raise NotImplementedError


def release_instalment(instalment, *, user=None):
    """The hold was released or expired: the instalment is no longer secured."""
    raise NotImplementedError
