"""Credit notes issued at once on PostgreSQL: their own series stays continuous (no gap, no
duplicate), and invoices issued in the same moment keep theirs. Real threads, real row
locks, real unique constraints (the invoice-only case is in test_payments_concurrency)."""

import pytest
from django.utils import timezone
from payments_helpers import accept

from terms_kit.models import Invoice, Refund
from terms_kit.services import payments
from tests.conftest import requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

THREADS = 20


def _paid_s5(sent, capture, count):
    """``count`` S5 engagements accepted, each deposit (900.00) paid: one deposit invoice
    each, issued one after the other (F-1 .. F-count)."""
    paid = []
    for _ in range(count):
        engagement = accept(sent, "S5", capture=capture)[0]
        paid.append(payments.record_payment(engagement, amount="900.00",
                                            paid_on=timezone.localdate(), method="transfer"))
    return paid


def _series(owner, series):
    rows = Invoice.objects.filter(owner=owner, series=series).values_list("sequence", "number")
    return sorted(sequence for sequence, _number in rows), {number for _seq, number in rows}


def test_twenty_concurrent_credit_notes_have_no_gap_and_no_duplicate(
        text_pdfs, sent, django_capture_on_commit_callbacks, expert):
    paid = _paid_s5(sent, django_capture_on_commit_callbacks, THREADS)
    results, errors = run_together(lambda i: payments.refund_payment(
        paid[i], amount="100.00", reason=f"gesture {i}"), THREADS)
    assert not errors and len(results) == THREADS
    sequences, numbers = _series(expert, "credit_note")
    assert sequences == list(range(1, THREADS + 1)) and len(numbers) == THREADS
    # Each refund has its own credit note, which names the invoice it corrects.
    assert Refund.objects.filter(credit_note__isnull=False).count() == THREADS
    for refund in Refund.objects.select_related("credit_note__corrects", "payment"):
        assert refund.credit_note.corrects.payment_id == refund.payment_id
    # The invoice series was not touched by the credit notes.
    assert _series(expert, "invoice")[0] == list(range(1, THREADS + 1))


def test_invoices_and_credit_notes_issued_at_once_keep_each_series_gapless(
        text_pdfs, sent, django_capture_on_commit_callbacks, expert):
    paid = _paid_s5(sent, django_capture_on_commit_callbacks, THREADS)

    def work(i):  # half the threads refund, the other half complete the service (final)
        if i % 2:
            return payments.refund_payment(paid[i], amount="50.00", reason="gesture")
        return payments.mark_completed(paid[i].engagement)

    results, errors = run_together(work, THREADS)
    assert not errors and len(results) == THREADS
    invoices, invoice_numbers = _series(expert, "invoice")
    credit_notes, note_numbers = _series(expert, "credit_note")
    assert invoices == list(range(1, THREADS + THREADS // 2 + 1))
    assert credit_notes == list(range(1, THREADS // 2 + 1))
    assert len(invoice_numbers) == len(invoices) and len(note_numbers) == len(credit_notes)
    assert not invoice_numbers & note_numbers
