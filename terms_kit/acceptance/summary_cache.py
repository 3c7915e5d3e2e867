"""The client page's summary of a sent engagement, the consents it asks, the documents its
link shows and the quote's sections rendered, kept in the shared cache.

Building them exports the engagement (a dozen queries) and formats every amount and sentence:
most of the page's cost. What it shows cannot change once the quote is sent: the engagement
is frozen (admin/views.py EngagementEditView) and so are the identity, client and terms it
points at (services/records.py: changes become new records). What can still change is in
the key: the link, the status, the language, and the acceptance record whose frozen rights the page
shows. A draft is never cached. A stale entry is impossible by construction, and entries
expire after an hour anyway so a deployment that changes the wording shows it soon.
"""

from django.core.cache import cache
from django.template.loader import render_to_string

from ..services import acceptance as service
from ..spec import export_engagement
from ..status import Status
from . import presentation
from .consents import required_consents

TIMEOUT = 3600
# Bump when what an entry holds changes shape, so nodes running the new code ignore old ones.
VERSION = 4


def _key(link, engagement, accepted):
    # The link's token hash is random and never reused (a primary key may be, after a
    # restore or in a test database), so an entry can only ever match its own engagement.
    return (f"terms_kit:client_summary:v{VERSION}:{link.token_sha256}:{engagement.status}:"
            f"{link.language}:{accepted.pk if accepted else '-'}")


def _documents(link):
    # What the page prints of each file the link shows. A link's documents are chosen when it
    # is made and issued documents are insert-only (services/documents.py), so this list is
    # as frozen as the summary.
    return [{"pk": d.pk, "kind": d.kind, "get_kind_display": d.get_kind_display(),
             "pdf_sha256": d.pdf_sha256, "docx_sha256": d.docx_sha256}
            for d in link.documents.order_by("pk").only("pk", "kind", "pdf_sha256",
                                                       "docx_sha256")]


def _build(link, engagement, accepted, lang):
    spec = export_engagement(engagement)
    summary = presentation.summary(spec, lang,
                                   rights=service.accepted_rights(engagement, accepted))
    return {"summary": summary, "consents": required_consents(spec, lang),
            "documents": _documents(link),
            # The page's longest part, rendered once (no token, session or CSRF value in it).
            "quote_html": render_to_string("terms_kit/client/_quote.html",
                                           {"summary": summary, "engagement": engagement})}


def client_summary(link, accepted):
    """``{"summary": presentation.summary(...), "consents": the checkboxes to tick,
    "documents": the files the link shows, "quote_html": the quote's sections rendered}``
    for the link's engagement in the link's language (called inside it); ``accepted``: the
    engagement's acceptance record or None (the view has it already)."""
    engagement = link.engagement
    if engagement.status == Status.DRAFT:
        return _build(link, engagement, accepted, link.language)
    key = _key(link, engagement, accepted)
    entry = cache.get(key)
    if entry is None:
        entry = _build(link, engagement, accepted, link.language)
        cache.set(key, entry, TIMEOUT)
    return entry
