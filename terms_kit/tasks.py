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
