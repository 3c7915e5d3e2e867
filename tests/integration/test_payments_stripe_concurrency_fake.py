"""One Stripe webhook delivered 20 times at once on PostgreSQL (events from the FAKE Stripe):
exactly one payment, one deposit invoice, one status change, one event row."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from stripe_helpers import accept_engagement, post_event

from terms_kit.models import Invoice, InvoiceKind, Payment, ProviderEvent, StatusChange
from terms_kit.status import Status
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

DELIVERIES = 20


def concurrently(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.parametrize("event_type", ["payment_intent.succeeded",
                                        "checkout.session.completed"])
def test_fake_stripe_one_webhook_delivered_20_times_at_once_is_recorded_once(
        sent, fake_stripe, event_type):
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    instalment = engagement.instalments.get(kind="deposit")
    response = Client().post(reverse("terms_kit:client_pay", args=[sent_link.token,
                                                                   instalment.pk]))
    fake_stripe.pay(response["Location"].rsplit("/", 1)[1])
    body, header = next((b, h) for b, h in fake_stripe.take_events()
                        if f'"type": "{event_type}"' in b)

    responses = concurrently(lambda: post_event(Client(), body, header), DELIVERIES)

    assert sorted(r.status_code for r in responses) == [200] * DELIVERIES
    outcomes = sorted(r.content.decode().split(" ", 1)[1] for r in responses)
    assert outcomes.count("duplicate") == DELIVERIES - 1, outcomes
    assert Payment.objects.filter(engagement=engagement).count() == 1
    assert Invoice.objects.filter(engagement=engagement, kind=InvoiceKind.DEPOSIT).count() == 1
    assert StatusChange.objects.filter(engagement=engagement,
                                       to_status=Status.IN_PROGRESS).count() == 1
    assert ProviderEvent.objects.count() == 1


def test_fake_stripe_the_two_paid_events_at_once_record_one_payment(sent, fake_stripe):
    """payment_intent.succeeded and checkout.session.completed (two events, one payment) each
    delivered 10 times at once."""
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    instalment = engagement.instalments.get(kind="deposit")
    response = Client().post(reverse("terms_kit:client_pay", args=[sent_link.token,
                                                                   instalment.pk]))
    fake_stripe.pay(response["Location"].rsplit("/", 1)[1])
    events = [(b, h) for b, h in fake_stripe.take_events() if '"type": "charge.' not in b]
    assert len(events) == 2
    queue = iter(events * (DELIVERIES // 2))
    lock = threading.Lock()

    def one():
        with lock:
            body, header = next(queue)
        return post_event(Client(), body, header)

    responses = concurrently(one, DELIVERIES)
    assert all(r.status_code == 200 for r in responses)
    assert Payment.objects.filter(engagement=engagement).count() == 1
    assert Invoice.objects.filter(engagement=engagement, kind=InvoiceKind.DEPOSIT).count() == 1
    assert ProviderEvent.objects.count() == 2
