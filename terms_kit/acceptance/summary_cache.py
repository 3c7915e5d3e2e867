"""The client page's summary of a sent engagement, kept in the shared cache.

Building it exports the engagement (a dozen queries) and formats every amount and sentence:
most of the page's cost. What it shows cannot change once the quote is sent: the engagement
is frozen (admin/views.py EngagementEditView) and so are the identity, client and terms it
points at (services/records.py: changes become new records). What can still change is in
the key: the link, the status, the language, and the acceptance record whose frozen rights the page
shows. A draft is never cached. A stale entry is impossible by construction, and entries
expire after an hour anyway so a deployment that changes the wording shows it soon.
"""

from django.core.cache import cache

from ..services import acceptance as service
from ..spec import export_engagement
from ..status import Status
from . import presentation

TIMEOUT = 3600
# Bump when summary()'s shape changes, so nodes running the new code ignore old entries.
VERSION = 1


def _key(link, engagement, accepted):
    # The link's token hash is random and never reused (a primary key may be, after a
    # restore or in a test database), so an entry can only ever match its own engagement.
    return (f"terms_kit:client_summary:v{VERSION}:{link.token_sha256}:{engagement.status}:"
            f"{link.language}:{accepted.pk if accepted else '-'}")


def _build(engagement, lang):
    return presentation.summary(export_engagement(engagement), lang,
                                rights=service.accepted_rights(engagement))


def client_summary(link, accepted):
    """``presentation.summary`` of the link's engagement in the link's language; ``accepted``:
    the engagement's acceptance record or None (the view has it already)."""
    engagement = link.engagement
    if engagement.status == Status.DRAFT:
        return _build(engagement, link.language)
    key = _key(link, engagement, accepted)
    summary = cache.get(key)
    if summary is None:
        summary = _build(engagement, link.language)
        cache.set(key, summary, TIMEOUT)
    return summary
