"""The same unused-credit refund asked 8 times at once on PostgreSQL: one closure, one refund,
one credit note (the engagement's row lock, then the closure's unique key)."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from terms_kit.models import CreditClosure, Invoice, Refund
from terms_kit.services import payments
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

REQUESTS = 8


def test_unused_credit_refund_asked_8_times_at_once_refunds_once(text_pdfs, accepted):
    engagement, _link = accepted("S3")
    payments.record_payment(engagement, amount="900.00", paid_on=timezone.localdate(),
                            method="transfer")
    payments.record_credit_use(engagement, quantity="4")
    barrier, results, errors = threading.Barrier(REQUESTS), [], []

    def run():
        try:
            barrier.wait()
            results.append(payments.refund_unused_credit(engagement).pk)
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    [refund] = Refund.objects.filter(engagement=engagement)
    assert results == [refund.pk] * REQUESTS and refund.amount == D("540.00")
    assert CreditClosure.objects.filter(engagement=engagement).count() == 1
    assert Invoice.objects.filter(engagement=engagement, kind="credit_note").count() == 1
