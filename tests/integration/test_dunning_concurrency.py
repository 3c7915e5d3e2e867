"""Two dunning runners at once on PostgreSQL: row locks (SKIP LOCKED) and the unique keys
make each step once, whatever the interleaving. Real threads, real transactions."""


import pytest
from django.core import mail
from dunning_helpers import day, unpaid_milestone_invoice

from terms_kit.dunning.run import run
from terms_kit.models import DunningAction, DunningEvent, SentMessage
from tests.conftest import requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

RUNNERS = 4
INVOICES = 6



def test_concurrent_runners_take_each_step_once(text_pdfs, accepted,
                                               django_capture_on_commit_callbacks):
    made = [unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)
            for _ in range(INVOICES)]
    invoices = [invoice for _e, invoice in made]
    j7 = max(day(invoice, 7) for invoice in invoices)
    mail.outbox.clear()
    # Small batches so the runners interleave over the same invoices.
    reports, errors = run_together(lambda i: run(on=j7, batch_size=2), RUNNERS)
    assert not errors, errors
    assert sum(len(r.decisions) for r in reports) == INVOICES
    for invoice in invoices:
        assert list(DunningAction.objects.filter(invoice=invoice).values_list(
            "step", "state")) == [("reminder_1", "done")]
        assert DunningEvent.objects.filter(invoice=invoice, kind="prepared").count() == 1
        assert DunningEvent.objects.filter(invoice=invoice, kind="sent").count() == 1
    assert SentMessage.objects.filter(kind="reminder_1").count() == INVOICES
    assert len(mail.outbox) == INVOICES
    # And again the same day, all at once: nothing more.
    reports, errors = run_together(lambda i: run(on=j7, batch_size=2), RUNNERS)
    assert not errors and sum(len(r.decisions) for r in reports) == 0
    assert DunningAction.objects.count() == INVOICES and len(mail.outbox) == INVOICES
