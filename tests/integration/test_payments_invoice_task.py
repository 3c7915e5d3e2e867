"""An invoice is recorded in the payment's transaction; its DOCX + PDF/A and its e-mail come
after the commit, from the make_invoice_document task, once however often it runs."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from payments_helpers import accept, pdf_text

from terms_kit.models import Invoice, IssuedDocument
from terms_kit.services import payments
from terms_kit.tasks import make_invoice_document
from tests.conftest import requires_postgres


def invoice_mails(invoice):
    return [m for m in mail.outbox if invoice.number in m.subject]


@pytest.mark.django_db
def test_the_invoice_is_numbered_at_once_and_its_document_made_once_after_commit(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as queued:
        payment = payments.record_payment(engagement, amount="4320.00",
                                          paid_on=timezone.localdate(), method="transfer")
    invoice = payment.invoices.get()
    # Inside the transaction: the record, complete (number, figures, hash), no document yet
    # and nothing sent.
    assert invoice.number and invoice.snapshot["number"] == invoice.number
    assert invoice.snapshot["net"] == "4320.00" and len(invoice.snapshot_sha256) == 64
    assert invoice.document is None and not IssuedDocument.objects.filter(invoice=invoice)
    assert not invoice_mails(invoice)
    with django_capture_on_commit_callbacks(execute=True):  # the task's own commit hooks
        for callback in queued:  # the payment's commit hooks: the task (immediate backend)
            callback()
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.document is not None and invoice.document.kind == "deposit_invoice"
    assert invoice.number in pdf_text(invoice) and "[" not in pdf_text(invoice)
    [sent] = invoice_mails(invoice)
    assert sent.attachments[0][0] == f"{invoice.number}.pdf"
    # Run again (a retry, a second worker): nothing more is made or sent.
    with django_capture_on_commit_callbacks(execute=True):
        make_invoice_document.enqueue(invoice.pk)
        assert payments.deliver_invoice(invoice.pk) is None
    assert IssuedDocument.objects.filter(invoice=invoice).count() == 1
    assert len(invoice_mails(invoice)) == 1
    # The record itself never changed: the document points to it.
    assert Invoice.objects.get(pk=invoice.pk).snapshot_sha256 == invoice.snapshot_sha256


@pytest.mark.django_db(transaction=True)
@requires_postgres
def test_the_task_run_four_times_at_once_makes_one_document_and_one_email(
        text_pdfs, sent, django_capture_on_commit_callbacks, settings):
    engagement = accept(sent, "S2", capture=django_capture_on_commit_callbacks)[0]
    # Tasks queued, not run: the test runs the task itself, from four threads at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    payment = payments.record_payment(engagement, amount="4320.00",
                                      paid_on=timezone.localdate(), method="transfer")
    invoice = payment.invoices.get()
    assert invoice.document is None
    mail.outbox.clear()
    barrier, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            barrier.wait()
            results.append(payments.deliver_invoice(invoice.pk))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len([r for r in results if r is not None]) == 1
    assert IssuedDocument.objects.filter(invoice=invoice).count() == 1
    assert len(invoice_mails(invoice)) == 1
