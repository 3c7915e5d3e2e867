"""Concurrency on PostgreSQL: 20 invoices issued at once, one provider payment delivered 20
times at once. Real threads, real row locks, real unique constraints."""


import pytest
from django.utils import timezone
from payments_helpers import accept

from terms_kit.models import Invoice, Payment, StatusChange
from terms_kit.services import payments
from tests.conftest import requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

THREADS = 20



def test_twenty_concurrent_invoices_have_no_gap_and_no_duplicate(
        text_pdfs, sent, django_capture_on_commit_callbacks, expert):
    engagements = [accept(sent, "S5", capture=django_capture_on_commit_callbacks)[0]
                   for _ in range(THREADS)]
    results, errors = run_together(lambda i: payments.record_payment(
        engagements[i], amount="900.00", paid_on=timezone.localdate(), method="transfer"), THREADS)
    assert not errors and len(results) == THREADS
    numbers = sorted(Invoice.objects.filter(owner=expert).values_list("sequence", flat=True))
    assert numbers == list(range(1, THREADS + 1))


def test_one_provider_payment_delivered_twenty_times_at_once(
        text_pdfs, sent, django_capture_on_commit_callbacks):
    engagement = accept(sent, "S2", capture=django_capture_on_commit_callbacks)[0]
    results, errors = run_together(lambda i: payments.record_payment(
        engagement, amount="4320.00", paid_on=timezone.localdate(), method="card_online",
        provider="stripe", provider_payment_id="pi_same"), THREADS)
    assert not errors and len(results) == THREADS
    assert len({payment.pk for payment in results}) == 1
    assert Payment.objects.count() == 1
    assert Invoice.objects.count() == 1
    assert StatusChange.objects.filter(engagement=engagement, to_status="in_progress").count() == 1


def test_two_sweeps_at_once_change_things_once(text_pdfs, sent, django_capture_on_commit_callbacks):
    import datetime

    engagements = [accept(sent, "S2", capture=django_capture_on_commit_callbacks)[0]
                   for _ in range(3)]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    results, errors = run_together(lambda i: payments.payments_sweep(tomorrow), 2)
    assert not errors
    assert sum(r["overdue"] for r in results) == 3
    for engagement in engagements:
        assert StatusChange.objects.filter(engagement=engagement,
                                           to_status="overdue").count() == 1
