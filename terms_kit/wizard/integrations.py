"""The wizard's two seams to features built elsewhere: the compliance checker and documents.

Each is looked up when needed, so the wizard works (and says what is missing) before those
packages exist, and picks them up with no change here once they do.
"""

import importlib
from decimal import Decimal

from ..spec import export_engagement


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


def identity_findings(identity):
    """The findings about the business identity alone, before the draft exists (step 2).

    The identity is checked inside a neutral probe (an empty engagement for a business client,
    built from the models' defaults, saved nowhere); only the findings about ``identity.*``
    are kept, so the expert sees step 1's errors on the next page, not two steps later. Rules
    that depend on the client (a consumer's mediator) show once the client step is saved.
    """
    check_spec = _spec_checker()
    if check_spec is None:
        return []
    from ..compliance.checker import findings_under
    from ..models import Client, Engagement
    from ..spec import fields
    from ..spec.exporting import _export

    body = _export(Engagement(), fields.ENGAGEMENT)
    body["lines"], body["payment"]["milestones"] = [], []
    spec = {"identity": _export(identity, fields.IDENTITY),
            "client": _export(Client(kind="business"), fields.CLIENT),
            "terms": None, "engagement": body}
    return findings_under(check_spec(spec), "identity")


def _plain_row(row):
    # Line and milestone fields have the same names in the spec as in the model.
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in row.items()}


def errors_of(findings):
    return [f for f in findings if f.severity == "error"]


def warnings_of(findings):
    return [f for f in findings if f.severity == "warning"]


def _request_documents():
    return _find("terms_kit.services.documents", "request_documents")


def documents_available():
    return _request_documents() is not None


def start_document_generation(engagement, user=None):
    """Queue the generation of the engagement's documents; None when not installed.

    The documents service runs it as a django-tasks task after the commit and records its
    progress in a ``DocumentRequest`` (queued, running, done, failed).
    """
    request_documents = _request_documents()
    if request_documents is None:
        return None
    applicable_kinds = _find("terms_kit.documents.generation", "applicable_kinds")
    # Previews of a draft: never a certificate, which only a client's acceptance makes.
    kinds = [k for k in applicable_kinds(export_engagement(engagement)) if k != "certificate"]
    return request_documents(engagement, kinds, engagement.language, user=user)


def latest_generation(engagement):
    """The engagement's last document request (its ``state`` is the progress), or None."""
    if not documents_available():
        return None
    return engagement.document_requests.first()


def list_documents(engagement):
    """The engagement's issued documents (kind, language, PDF and DOCX files)."""
    if not documents_available():
        return []
    return list(engagement.documents.all())
