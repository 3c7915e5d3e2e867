"""The wizard's two seams to features built elsewhere: the compliance checker and documents.

Each is looked up when needed, so the wizard works (and says what is missing) before those
packages exist, and picks them up with no change here once they do.
"""

import importlib
import logging
from decimal import Decimal

from django_tasks import default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from ..spec import export_engagement

logger = logging.getLogger(__name__)


def _find(module_name, attribute):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        # Only "the package is not there" means not installed; a broken import must show.
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attribute, None)


def _spec_checker():
    return _find("terms_kit.compliance", "check_spec")


def _checker():
    check_engagement = _find("terms_kit.compliance.checker", "check_engagement")
    if check_engagement is not None:
        return check_engagement
    check_spec = _spec_checker()
    if check_spec is not None:
        return lambda engagement: check_spec(export_engagement(engagement))
    return None


def checker_available():
    return _checker() is not None


def get_findings(engagement):
    """The checker's findings on the draft as stored now; [] when no checker is installed.

    A finding has ``rule_id``, ``severity`` ("error", "warning" or "info"), ``field`` (a
    spec path such as "engagement.payment.due_days"), ``message`` and ``source``.
    """
    check = _checker()
    if check is None:
        return []
    return list(check(engagement))


def findings_for_unsaved(engagement, step_data):
    """Findings on the draft as it would be with this step's answers, saving nothing.

    ``engagement`` and its identity and client carry the validated (unsaved) values of the
    step's form; lines and milestones come from ``step_data``. None when the installed
    checker cannot check a spec.
    """
    check_spec = _spec_checker()
    if check_spec is None:
        return None
    spec = export_engagement(engagement)
    body = spec["engagement"]
    if "lines" in step_data:
        body["lines"] = [_plain_row(row) for row in step_data["lines"]]
    if "milestones" in step_data:
        body["payment"]["milestones"] = [_plain_row(row) for row in step_data["milestones"]]
    return list(check_spec(spec))


def _plain_row(row):
    # Line and milestone fields have the same names in the spec as in the model.
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in row.items()}


def errors_of(findings):
    return [f for f in findings if f.severity == "error"]


def warnings_of(findings):
    return [f for f in findings if f.severity == "warning"]


def _generation_task():
    return _find("terms_kit.tasks", "generate_documents")


def documents_available():
    return _generation_task() is not None


def start_document_generation(engagement):
    """Enqueue the document generation task; returns the task result id, or None."""
    task = _generation_task()
    if task is None:
        return None
    return task.enqueue(engagement.pk).id


def generation_status(result_id):
    """The django-tasks status of a generation (TaskResultStatus), or None if unknown.

    Backends that keep no results (the immediate one) cannot tell: None.
    """
    if not result_id:
        return None
    try:
        return default_task_backend.get_result(result_id).status
    except (NotImplementedError, TaskResultDoesNotExist):
        return None


def list_documents(engagement):
    """The engagement's documents as objects with ``label`` and ``url``; [] until built."""
    lister = _find("terms_kit.documents", "documents_for_engagement")
    return list(lister(engagement)) if lister else []
