"""Receivables (what an invoice still asks for) and pauses, on a real S2 invoice."""

import datetime
from decimal import Decimal as D

import pytest
from dunning_helpers import day, unpaid_milestone_invoice

from terms_kit.dunning import pauses, receivables
from terms_kit.exceptions import DunningError
from terms_kit.models import DunningEvent, DunningPause, PauseEnd
from terms_kit.services import payments

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(text_pdfs, accepted, django_capture_on_commit_callbacks):
    return unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)


def test_outstanding_follows_partial_payments_and_credit_notes(overdue):
    engagement, invoice = overdue
    assert invoice.net == D("480.00")  # 4 800.00 TTC less the 4 320.00 deposit
    assert list(receivables.open_invoices(engagement.owner)) == [invoice]
    assert receivables.outstanding(invoice, day(invoice, 0)) == D("480.00")
    paid_on = day(invoice, 10)
    payments.record_payment(engagement, amount=D("200.00"), paid_on=paid_on, method="transfer")
    # Before the payment's date the whole 480.00 was due; from it, 480.00 - 200.00 = 280.00.
    assert receivables.outstanding(invoice, day(invoice, 9)) == D("480.00")
    assert receivables.outstanding(invoice, paid_on) == D("280.00")
    assert receivables.payments_applied(invoice) == [(paid_on, D("200.00"))]
    assert receivables.outstanding_many([invoice], paid_on) == {invoice.pk: D("280.00")}
    payments.record_payment(engagement, amount=D("280.00"), paid_on=day(invoice, 12),
                            method="transfer")
    assert receivables.outstanding(invoice, day(invoice, 12)) == D("0.00")
    assert list(receivables.open_invoices(engagement.owner)) == []


def test_pause_and_resume_are_records_never_edits(overdue, expert):
    _engagement, invoice = overdue
    today = day(invoice, 8)
    record = pauses.pause(invoice, reason="Client disputes the deliverable", source="dispute",
                          until=day(invoice, 20), user=expert, on=today)
    assert pauses.active_pause(invoice, day(invoice, 20)) == record
    assert pauses.active_pause(invoice, day(invoice, 21)) is None
    [end] = pauses.resume(invoice, user=expert, note="Agreed", on=day(invoice, 12))
    assert isinstance(end, PauseEnd) and end.pause == record
    assert pauses.active_pause(invoice, day(invoice, 11)) == record
    assert pauses.active_pause(invoice, day(invoice, 12)) is None
    record.refresh_from_db()
    assert record.until == day(invoice, 20)  # the pause itself is unchanged
    assert [e.kind for e in DunningEvent.objects.filter(invoice=invoice)] == ["paused",
                                                                             "resumed"]
    assert pauses.resume(invoice, on=day(invoice, 13)) == []  # nothing left to resume


def test_a_client_pause_covers_its_invoices(overdue):
    engagement, invoice = overdue
    pauses.pause(engagement.client, reason="Promised to pay on the 15th", source="promise",
                 until=day(invoice, 15), on=day(invoice, 1))
    assert pauses.active_pause(invoice, day(invoice, 5)).client == engagement.client
    assert list(pauses.paused_invoice_ids([invoice], day(invoice, 5))) == [invoice.pk]


@pytest.mark.parametrize("reason, until, source, field, words", [
    ("", 20, "manual", "reason", "reason"),
    ("   ", 20, "manual", "reason", "reason"),
    ("Dispute", None, "manual", "until", "end"),
    ("Dispute", -1, "manual", "until", "past"),
    ("Dispute", 20, "holiday", "source", "source"),
])
def test_bad_pause_input_is_refused_clearly_and_nothing_is_stored(overdue, reason, until,
                                                                  source, field, words):
    _engagement, invoice = overdue
    today = day(invoice, 8)
    end = None if until is None else today + datetime.timedelta(days=until)
    with pytest.raises(DunningError) as error:
        pauses.pause(invoice, reason=reason, until=end, source=source, on=today)
    assert error.value.field == field and words in str(error.value)
    assert DunningPause.objects.count() == 0 and DunningEvent.objects.count() == 0
