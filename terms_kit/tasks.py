"""Background work, as django-tasks tasks taking primary keys (run by `manage.py db_worker`)."""

from django_tasks import task


@task()
def generate_documents(request_id):
    """Render, convert (LibreOffice) and record the documents of one DocumentRequest."""
    from .services.documents import run_document_request

    run_document_request(request_id)


@task()
def make_checkpoint():
    """Seal the consent chain's head (TERMS_KIT['CHECKPOINT_AFTER_ACCEPTANCE'])."""
    from .services.checkpoints import make_checkpoint as make

    outcome = make()
    return outcome.checkpoint.pk if outcome.checkpoint else None


@task()
def make_invoice_document(invoice_id):
    """Make the DOCX + PDF/A of an issued invoice, receipt or credit note, then e-mail it to
    the client. Idempotent: a second run (or a concurrent one) makes and sends nothing."""
    from .services.payments import deliver_invoice

    return deliver_invoice(invoice_id)


@task()
def mail_payment_received(payment_id):
    """The client's "payment received" e-mail (enqueued once, when the payment commits)."""
    from .services.payments import send_payment_received

    send_payment_received(payment_id)


@task()
def mail_work_may_start(engagement_id):
    """The expert's "work may start" e-mail (enqueued once: WorkStartNotice is unique)."""
    from .services.payments import send_work_may_start

    send_work_may_start(engagement_id)
