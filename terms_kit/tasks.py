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
def execute_dunning_actions(action_ids, on=None):
    """Carry out the dunning steps a run (or an approval) made ready: the reminder e-mails
    here, each letter (formal notice, recourse file) in a task of its own."""
    import datetime

    from .dunning import actions
    from .models import DunningAction
    from .models.dunning import LETTER_STEPS

    day = datetime.date.fromisoformat(on) if on else None
    letters = set(DunningAction.objects.filter(pk__in=action_ids, step__in=LETTER_STEPS)
                  .values_list("pk", flat=True))
    for action_id in action_ids:
        if action_id in letters:
            execute_dunning_action.enqueue(action_id, on)
        else:
            actions.execute(action_id, on=day)


@task()
def execute_dunning_action(action_id, on=None):
    """Carry out one dunning step (a formal notice or a recourse file: documents pipeline)."""
    import datetime

    from .dunning import actions

    actions.execute(action_id, on=datetime.date.fromisoformat(on) if on else None)


@task()
def dunning_run(on=None):
    """The day's dunning decisions (what `manage.py termskit dunning run` does)."""
    import datetime

    from .dunning.run import run

    report = run(on=datetime.date.fromisoformat(on) if on else None)
    return report.as_json()


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


@task()
def mail_booking_confirmed(engagement_id):
    """The booking confirmation of an engagement booked on an offer page, to both sides."""
    from .services.bookings import confirm_booking

    confirm_booking(engagement_id)
