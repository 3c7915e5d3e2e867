"""Background work, as django-tasks tasks taking primary keys (run by `manage.py db_worker`)."""

from django_tasks import task


@task()
def generate_documents(request_id):
    """Render, convert (LibreOffice) and record the documents of one DocumentRequest."""
    from .services.documents import run_document_request

    run_document_request(request_id)
