"""Issuing documents: render, convert, store and record; the only code that creates them."""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..documents import generation
from ..documents.hashing import sha256
from ..models import DocumentRequest, IssuedDocument
from ..spec import export_engagement
from ..storage import store_once

logger = logging.getLogger(__name__)

STORAGE_PREFIX = "terms_kit/documents"


def _store(content, extension):
    """Content-addressed, private storage: a file is named by its SHA-256, written once."""
    digest = sha256(content)
    return store_once(f"{STORAGE_PREFIX}/{digest[:2]}/{digest}.{extension}", content), digest


def _reuse(engagement, existing, invoice=None):
    """A record for this engagement pointing at files already made from identical inputs."""
    if existing.engagement_id == engagement.pk and (
            invoice is None or existing.invoice_id == invoice.pk):
        return existing
    return IssuedDocument.objects.create(
        invoice=invoice,
        owner=engagement.owner, engagement=engagement, kind=existing.kind,
        language=existing.language, template_name=existing.template_name,
        template_sha256=existing.template_sha256, snapshot=existing.snapshot,
        cache_key=existing.cache_key, docx=existing.docx.name,
        docx_sha256=existing.docx_sha256, pdf=existing.pdf.name, pdf_sha256=existing.pdf_sha256,
    )


def with_replaced_quote(engagement, kind, extras):
    """A revised quote says which quote it replaces (its number and date), so the client
    cannot take two quotes for two offers."""
    if kind != "quote" or not engagement.revises_id:
        return extras
    old = engagement.revises
    return {**(extras or {}), "replaces": {
        "number": old.number, "issue_date": old.issue_date.isoformat() if old.issue_date else ""}}


def issue_document(engagement, kind, lang=None, extras=None, converter=None, invoice=None,
                   einvoice=False):
    """One issued document: served from the cache when identical inputs were issued before.
    ``invoice``: the invoice, receipt or credit note it prints (one document each).
    ``einvoice``: the PDF is a Factur-X PDF/A-3 (EN 16931 XML embedded); the stored PDF and
    its hash are those of that final file."""
    spec = export_engagement(engagement)
    extras = with_replaced_quote(engagement, kind, extras)
    rendered = generation.render(spec, kind, lang, extras, owner=engagement.owner)
    existing = (
        IssuedDocument.objects.filter(owner=engagement.owner, cache_key=rendered.cache_key)
        .order_by("pk").first()
    )
    if existing is not None:
        return _reuse(engagement, existing, invoice)
    if einvoice:
        from ..einvoicing.issuing import make_facturx

        pdf = make_facturx(rendered, converter).pdf
    else:
        pdf = generation.to_pdf(rendered.docx, converter)
    docx_name, docx_sha = _store(rendered.docx, "docx")
    pdf_name, pdf_sha = _store(pdf, "pdf")
    return IssuedDocument.objects.create(
        owner=engagement.owner, engagement=engagement, kind=kind, language=rendered.language,
        template_name=rendered.template_name, template_sha256=rendered.template_sha256,
        snapshot=rendered.snapshot, cache_key=rendered.cache_key, docx=docx_name,
        docx_sha256=docx_sha, pdf=pdf_name, pdf_sha256=pdf_sha, invoice=invoice,
    )


def issue_documents(engagement, kinds=None, lang=None, extras=None, converter=None):
    """Issue several kinds at once (default: those that apply to the engagement)."""
    kinds = kinds or generation.applicable_kinds(export_engagement(engagement))
    return [issue_document(engagement, kind, lang, extras, converter) for kind in kinds]


def request_documents(engagement, kinds, lang, user=None):
    """Queue the generation; the task runs after the commit, never in the web request."""
    from ..tasks import generate_documents

    request = DocumentRequest.objects.create(
        owner=engagement.owner, engagement=engagement, kinds=list(kinds), language=lang,
        requested_by=user,
    )
    transaction.on_commit(lambda: generate_documents.enqueue(request.pk))
    return request


# A request still "running" this long after a worker took it was taken by a worker that died
# (killed, out of memory, a lost node): far above a conversion's worst case (the pool's timeout,
# then the cold fallback's, for each document of a request).
STALLED_AFTER = datetime.timedelta(minutes=15)


def run_document_request(request_id):
    """Carry out a queued request, recording its progress and outcome.

    At least once: a request whose worker died is queued again (``requeue_stalled``) and run
    from the start; the documents the dead worker recorded are found by their cache key and
    reused, so each document is recorded once."""
    updated = DocumentRequest.objects.filter(
        pk=request_id, state=DocumentRequest.State.QUEUED
    ).update(state=DocumentRequest.State.RUNNING, started_at=timezone.now())
    if not updated:
        return  # already taken by another worker, or finished
    request = DocumentRequest.objects.select_related("engagement").get(pk=request_id)
    try:
        documents = issue_documents(request.engagement, request.kinds, request.language)
    except Exception as exc:
        logger.exception("Document request %s failed", request_id)
        DocumentRequest.objects.filter(pk=request_id).update(
            state=DocumentRequest.State.FAILED, error=str(exc)[:2000]
        )
        raise
    request.documents.set(documents)
    DocumentRequest.objects.filter(pk=request_id).update(state=DocumentRequest.State.DONE)


def _retryable(now=None):
    """Failed requests, and running ones whose worker is presumed dead."""
    now = now or timezone.now()
    return DocumentRequest.objects.filter(
        Q(state=DocumentRequest.State.FAILED)
        | Q(state=DocumentRequest.State.RUNNING, started_at__lt=now - STALLED_AFTER))


def is_retryable(request, now=None):
    """The same rule as ``_retryable``, on a loaded request (for the admin's list)."""
    now = now or timezone.now()
    return request.state == DocumentRequest.State.FAILED or (
        request.state == DocumentRequest.State.RUNNING and request.started_at is not None
        and request.started_at < now - STALLED_AFTER)


def retry_document_request(request_id, owner=None, now=None):
    """Queue a failed (or stalled) request again; False when it is not in such a state (done,
    queued, or retried meanwhile by someone else). ``owner``: only that expert's requests."""
    from ..tasks import generate_documents

    requests = _retryable(now)
    if owner is not None:
        requests = requests.filter(owner=owner)
    if not requests.filter(pk=request_id).update(
            state=DocumentRequest.State.QUEUED, error="", started_at=None):
        return False
    transaction.on_commit(lambda: generate_documents.enqueue(request_id))
    return True


def requeue_stalled(now=None):
    """Queue again every request whose worker died while running it (see STALLED_AFTER); for
    ``manage.py termskit requeue-stalled``, run every few minutes. The ids queued again."""
    stalled = _retryable(now).filter(state=DocumentRequest.State.RUNNING)
    return [pk for pk in stalled.values_list("pk", flat=True)
            if retry_document_request(pk, now=now)]
