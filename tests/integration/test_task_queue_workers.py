"""Two task workers on one PostgreSQL queue, as on two nodes (what bench/scale.py relies on).

django-tasks' database backend hands a task to one worker (`SELECT ... FOR UPDATE SKIP
LOCKED`, then the row is marked running in the same transaction); the handlers are written for
at-least-once delivery. Here every task is enqueued twice in a row, as a redelivery would, so
the two workers take both copies at the same moment; two real
`db_worker` loops (django_tasks_db's Worker, each thread with its own connection, as two
processes have) drain the queue at once: each task row runs once, and each document is made
once, with the real LibreOffice."""

import datetime

import pytest
from django.db.models import Count
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from terms_kit.models import DocumentRequest, Invoice, IssuedDocument
from terms_kit.services.documents import request_documents
from terms_kit.services.payments import deposit_amount, record_payment
from terms_kit.tasks import generate_documents, make_invoice_document
from tests.conftest import acknowledge_warnings, requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]
KINDS = ["quote", "deposit_invoice"]


def drain_with_two_workers():
    """Two workers released at once, each until the queue is empty: their ids."""
    ids = ["worker-a", "worker-b"]

    def work(index):
        Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
               startup_delay=False, max_tasks=None, worker_id=ids[index],
               excluded_queue_names=[]).run()
        return ids[index]

    results, errors = run_together(work, 2)
    assert not errors and sorted(results) == ids


def test_two_workers_never_make_a_document_twice(accepted, make_engagement, settings):
    engagement, _link = accepted("S2")  # its own tasks run inline, as the test settings say
    drafts = [make_engagement("S2", change=lambda spec, i=i: spec["client"].update(
        name=f"Client {i}")) for i in range(3)]
    for draft in drafts:
        acknowledge_warnings(draft)
    # From here on, tasks go to the PostgreSQL queue: an issued invoice waiting for its
    # document, and each draft's "Generate documents".
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    payment = record_payment(engagement, amount=deposit_amount(engagement),
                             paid_on=datetime.date.today(), method="transfer")
    invoice = Invoice.objects.get(payment=payment)
    make_invoice_document.enqueue(invoice.pk)  # a redelivery
    requests = []
    for draft in drafts:
        requests.append(request_documents(draft, KINDS, "fr"))  # enqueued at its commit
        # Its redelivery right behind it: the two workers take both copies at once.
        generate_documents.enqueue(requests[-1].pk)
    document_tasks = DBTaskResult.objects.filter(task_path__in=[
        "terms_kit.tasks.make_invoice_document", "terms_kit.tasks.generate_documents"])
    assert document_tasks.count() == 2 * (len(requests) + 1)

    drain_with_two_workers()

    tasks = list(DBTaskResult.objects.all())
    assert {t.status for t in tasks} == {"SUCCESSFUL"}
    assert all(len(t.worker_ids) == 1 for t in tasks)  # each row taken by one worker once
    assert {t.worker_ids[0] for t in tasks} == {"worker-a", "worker-b"}  # both worked
    for request in requests:
        request.refresh_from_db()
        assert request.state == DocumentRequest.State.DONE
        assert sorted(request.documents.values_list("kind", flat=True)) == sorted(KINDS)
    made = IssuedDocument.objects.filter(engagement__in=drafts)
    assert made.count() == len(drafts) * len(KINDS)
    assert not made.values("engagement_id", "kind").annotate(n=Count("pk")).filter(n__gt=1)
    assert IssuedDocument.objects.filter(invoice=invoice).count() == 1
    # One file per document: each draft's quote and preview is its own content.
    assert len(set(made.values_list("pdf", flat=True))) == made.count()
