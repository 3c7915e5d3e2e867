"""Provider webhooks: validate, turn into events, record each once, act, signal.

The shape of django-anymail's webhooks: the view only hands the raw request here.

- The backend checks the signature on the raw body (``InvalidWebhook`` -> 400, nothing stored).
- A redelivery is seen by one read of ``ProviderEvent`` before any transaction. A new event
  is handled in its own transaction that first inserts its ``ProviderEvent`` row: the unique
  (provider, event id) makes a concurrent redelivery a no-op (its insert waits for the first
  transaction, then fails on the key and rolls back).
- An event for a type terms-kit does not act on, or for a payment it did not start, is a
  logged no-op (200). An event whose amount or currency differs from what was asked is
  logged and rolled back: nothing stored, 200 (a retry would not change the amounts).
- A database failure (lost connection, lock timeout) or the provider's API out of reach
  (an event traced at the provider) propagates, the event's transaction rolls back whole,
  and the view answers 503: the provider delivers again (test_payments_webhook_retry_fake).
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from ..exceptions import PaymentRefused
from ..models import ProviderEvent
from ..services import online_payments
from ..signals import payment_event_handled
from .providers import InvalidWebhook

logger = logging.getLogger("terms_kit.payments")


@dataclass(frozen=True)
class Outcome:
    event_id: str
    type: str
    result: str  # "handled: ...", "duplicate", "ignored: ...", "rejected: ..."


def handle_request(provider, body, headers):
    """Validate one webhook request and handle its events; returns their Outcomes.

    Raises InvalidWebhook for a request that is not the provider's.
    """
    events = provider.parse_webhook(body, headers)
    return [handle_event(provider, event) for event in events]


def handle_event(provider, event):
    if event.kind == "ignored" or not event.event_id:
        logger.info("%s event %s (%s) ignored: not a type terms-kit acts on",
                    provider.name, event.event_id, event.type)
        return Outcome(event.event_id, event.type, "ignored: type")
    # A redelivery (Stripe retries, and sends the same payment as two events) is answered
    # from one indexed read, outside any transaction: a ProviderEvent row only exists once
    # the transaction that handled its event has committed.
    if ProviderEvent.objects.filter(provider=provider.name, event_id=event.event_id).exists():
        return Outcome(event.event_id, event.type, "duplicate")
    claimed = False
    try:
        with transaction.atomic():
            # Find and lock the checkout in one query (one event at a time per payment),
            # then claim the event; its engagement and instalment are read only when needed.
            checkout = online_payments.find_checkout(provider, event, lock=True)
            if checkout is None:
                logger.info("%s event %s (%s) ignored: no checkout of terms-kit for it",
                            provider.name, event.event_id, event.type)
                return Outcome(event.event_id, event.type, "ignored: unknown payment")
            # The unique (provider, event id) refuses a second row: a concurrent delivery of
            # the same event waits here for the first one's commit, then fails on the key and
            # its whole transaction (which wrote nothing else) rolls back. No savepoint needed.
            ProviderEvent.objects.create(
                provider=provider.name, event_id=event.event_id, type=event.type,
                payment_id=event.payment_id, checkout=checkout, payload=event.payload,
            )
            claimed = True
            result = online_payments.apply_event(provider, event, checkout)
            transaction.on_commit(lambda: payment_event_handled.send(
                sender=ProviderEvent, provider=provider.name, event=event, checkout=checkout,
                outcome=result))
    except IntegrityError:
        if claimed:
            raise  # not the event's key: a real failure, the view answers 503 (retry)
        return Outcome(event.event_id, event.type, "duplicate")
    except (online_payments.Rejected, PaymentRefused) as exc:
        logger.warning("%s event %s (%s) rejected, nothing recorded: %s",
                       provider.name, event.event_id, event.type, exc)
        return Outcome(event.event_id, event.type, f"rejected: {exc}")
    logger.info("%s event %s (%s): %s", provider.name, event.event_id, event.type, result)
    return Outcome(event.event_id, event.type, f"handled: {result}")


__all__ = ["InvalidWebhook", "Outcome", "handle_event", "handle_request"]
