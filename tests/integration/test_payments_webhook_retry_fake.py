"""When the Stripe webhook answers 5xx (the provider delivers the event again) and when it
does not (payments/webhooks.py): a database failure, a lock held too long or the provider's
API out of reach are 503 with nothing stored, and the redelivery then records the payment
once; a bad signature is 400; an event terms-kit does not act on is 200. Events come from the
FAKE Stripe server (tests/fakes/stripe_server.py) through the real stripe SDK."""

import json
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from stripe_helpers import accept_engagement, post_event, start_fake, stripe_settings

from terms_kit.models import (
    Invoice,
    InvoiceKind,
    OnlineCheckout,
    Payment,
    ProviderEvent,
    StatusChange,
)
from terms_kit.status import Status
from tests.conftest import requires_postgres


def paid_deposit_event(sent, fake):
    """S2 accepted, its deposit paid at the fake Stripe: the payment_intent.succeeded event
    (body, signature header) not delivered yet, and the engagement."""
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    deposit = engagement.instalments.get(kind="deposit")
    response = Client().post(reverse("terms_kit:client_pay", args=[sent_link.token,
                                                                   deposit.pk]))
    fake.pay(response["Location"].rsplit("/", 1)[1])
    event = next((b, h) for b, h in fake.take_events()
                 if '"type": "payment_intent.succeeded"' in b)
    return engagement, event


def recorded_once(engagement):
    assert Payment.objects.filter(engagement=engagement).count() == 1
    assert Invoice.objects.filter(engagement=engagement, kind=InvoiceKind.DEPOSIT).count() == 1
    assert StatusChange.objects.filter(engagement=engagement,
                                       to_status=Status.IN_PROGRESS).count() == 1
    assert ProviderEvent.objects.count() == 1


def nothing_recorded(engagement):
    assert not ProviderEvent.objects.exists()
    assert not Payment.objects.filter(engagement=engagement).exists()
    assert not Invoice.objects.filter(engagement=engagement).exists()
    engagement.refresh_from_db()
    assert engagement.status == Status.DEPOSIT_DUE


class TestOnEitherDatabase:
    pytestmark = pytest.mark.django_db

    @pytest.fixture
    def fake(self, settings):
        fake = start_fake()
        stripe_settings(settings, fake)
        yield fake
        fake.stop()

    def test_fake_stripe_database_failure_mid_event_is_503_then_the_retry_records_once(
            self, sent, fake, client, django_capture_on_commit_callbacks):
        engagement, (body, header) = paid_deposit_event(sent, fake)
        failed = []

        def database_gone(execute, sql, params, many, context):
            # The database fails after the event row and before the payment's: the whole
            # event must roll back, or the retry would be taken for a duplicate.
            if 'INSERT INTO "terms_kit_payment"' in sql:
                failed.append(sql)
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(database_gone):
            response = post_event(client, body, header)
        assert failed, "the failure was not reached: the test proves nothing"
        assert response.status_code == 503
        nothing_recorded(engagement)

        with django_capture_on_commit_callbacks(execute=True):
            retried = post_event(client, body, header)
        assert retried.status_code == 200
        assert b"handled: payment #" in retried.content
        recorded_once(engagement)
        # A further delivery is the usual duplicate, 200.
        again = post_event(client, body, header)
        assert (again.status_code, again.content.decode().split(" ", 1)[1]) == (200,
                                                                                "duplicate")
        recorded_once(engagement)

    def test_fake_stripe_provider_api_out_of_reach_is_503_nothing_stored(self, fake, client):
        """A refund event for a payment whose own events have not come yet is traced at the
        provider; when its API does not answer, the event cannot be handled now: 503."""
        unseen_payment = "pi_not_seen_yet"
        body = json.dumps({
            "id": f"evt_test_refund_{time.time_ns()}", "object": "event",
            "type": "charge.refunded", "created": int(time.time()),
            "data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": unseen_payment,
                                "amount": 6000, "amount_refunded": 6000, "currency": "eur",
                                "refunded": True, "metadata": {}}}})
        header = fake.sign(body)
        fake.stop()  # the API is out of reach; the signature is checked locally
        response = post_event(client, body, header)
        assert response.status_code == 503
        assert not ProviderEvent.objects.exists()

    def test_fake_stripe_what_a_retry_would_not_change_is_not_5xx(self, sent, fake, client):
        engagement, (body, header) = paid_deposit_event(sent, fake)
        assert post_event(client, body, header + "0").status_code == 400  # bad signature
        assert post_event(client, body.replace('"amount_received": ', '"amount_received": 1'),
                          header).status_code == 400  # body changed after signing
        other = json.dumps({"id": "evt_other", "object": "event", "type": "customer.created",
                            "created": int(time.time()),
                            "data": {"object": {"id": "cus_1", "object": "customer"}}})
        assert post_event(client, other, fake.sign(other)).status_code == 200  # ignored
        nothing_recorded(engagement)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_fake_stripe_lock_timeout_is_503_then_the_retry_records_once(sent, sealed_settings):
    """Another transaction holds the payment's checkout row past the lock timeout (a stuck
    worker): PostgreSQL gives up, the webhook answers 503, the provider delivers again."""
    fake = start_fake()
    stripe_settings(sealed_settings, fake)
    try:
        engagement, (body, header) = paid_deposit_event(sent, fake)
        checkout = OnlineCheckout.objects.get(engagement=engagement)
        locked, release = threading.Event(), threading.Event()

        def hold_the_row():
            try:
                with transaction.atomic():
                    OnlineCheckout.objects.select_for_update().get(pk=checkout.pk)
                    locked.set()
                    release.wait(30)
            finally:
                connection.close()

        holder = threading.Thread(target=hold_the_row)
        holder.start()
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            response = post_event(Client(), body, header)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
            release.set()
            holder.join()
        assert response.status_code == 503
        nothing_recorded(engagement)

        assert post_event(Client(), body, header).status_code == 200
        recorded_once(engagement)
    finally:
        fake.stop()

