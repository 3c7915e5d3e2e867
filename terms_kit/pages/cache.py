"""Rendered public pages (terms and offer pages) kept in the shared cache.

A terms or offer page is the same for every anonymous visitor: the expert's published text,
the quote template's prices, the site's menu. Serving it through Wagtail costs a dozen
queries (site, page tree, view restrictions, the page's records) for a few hundred bytes of
change a month, so the rendered answer is kept in Django's cache and served before Wagtail
routes the request.

What may be cached is decided by the page (``mark_public``: its terms page routes and the
offer's main page; never the booking form, which holds a CSRF token), and for whom by
``PublicPageCacheMiddleware``: GET or HEAD without query string and without a session
cookie or messages cookie (an editor, or a visitor with messages, always gets a fresh
page), answers with no cookie. Only Wagtail's page view consults the cache: the client pages,
the admin and the rest of the site never pay for a look-up.

Entries are keyed by host, path and language and hold the *generation* number read before
the page was rendered; every save or delete of a Wagtail or terms-kit record bumps it (pages,
revisions, sites, terms versions, quote templates and their lines, identities, clauses...),
at once and again when the transaction commits (a page rendered in between from the old
rows carries the older number), so a publication shows at once on every node. A change made
by a bulk ``QuerySet.update()`` sends no signal: ``TIMEOUT`` bounds how long it can wait.
What clients and money write (links, evidence, invoices, payments, dunning, a sent
engagement's status) is never shown there and leaves the pages alone: those records are
written far more often than pages change, and each save would otherwise cost two cache round
trips and empty every kept page.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

from ..status import Status

GENERATION_KEY = "terms_kit:public_pages:generation"
TIMEOUT = 60
# Bump when an entry's shape changes, so nodes running the new code ignore old entries.
VERSION = 1
# Apps whose records the public pages show. Page types of a host site are added at start-up
# (the app of every Page subclass), so their own fields invalidate the pages too.
WATCHED_APPS = {"wagtailcore", "wagtailimages", "wagtaildocs", "wagtailsnippets", "taggit",
                "terms_kit"}
# terms-kit records that no public page shows: what clients, money and background steps
# write. (Everything else of terms_kit is watched: a record added later is safe by default.)
IGNORED_MODELS = {
    f"terms_kit.{name}" for name in (
        "accesslink", "emailcode", "consentrecord", "chaincheckpoint", "chainhead",
        "sealedfile", "statuschange", "issueddocument", "documentrequest", "numbersequence",
        "instalment", "invoice", "payment", "allocation", "refund", "onlinecheckout",
        "providerevent", "credituse", "creditclosure", "workstartnotice", "offerbooking",
        "dunningaction", "dunningevent", "dunningpause", "pauseend", "formalnotice",
        "recoursefile", "sentmessage", "instalmentplan", "planinstalment", "planacceptance",
        "planevent", "planinvoice", "reconsentrequest", "wizardstate", "ownedlogentry",
        "warningacknowledgement", "client",
    )
}
ATTRIBUTE = "terms_kit_public_page"


def mark_public(response):
    """Called by a page route: this answer is the same for every anonymous visitor."""
    setattr(response, ATTRIBUTE, True)
    return response


def _start():
    # A number never used before, should the counter be lost (a Redis restart, an eviction):
    # an entry kept under an older count can then never look current.
    return time.time_ns()


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _start(), None)  # add(): nodes starting at once agree
        value = cache.get(GENERATION_KEY)
    return value


def bump():
    """Every cached public page becomes stale (it holds an older generation)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set (or lost): a fresh start is a new generation too
        cache.add(GENERATION_KEY, _start(), None)


def _shown(sender, instance):
    label = sender._meta.label_lower
    if sender._meta.app_label not in WATCHED_APPS or label in IGNORED_MODELS:
        return False
    if label == "terms_kit.engagement":
        # An offer's quote template is a draft engagement; a sent one is never on a page.
        return instance is None or instance.status == Status.DRAFT
    return True


def on_change(sender, instance=None, **kwargs):
    if _shown(sender, instance):
        bump()
        transaction.on_commit(bump)


def connect_receivers():
    from wagtail.models import get_page_models

    WATCHED_APPS.update(model._meta.app_label for model in get_page_models())
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(on_change, dispatch_uid=f"terms_kit.pages.cache.{id(signal)}")


def _eligible(request):
    cookies = request.COOKIES
    return (request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in cookies
            and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies)


def _key(request):
    return (f"terms_kit:public_page:v{VERSION}:{request.get_host()}:"
            f"{getattr(request, 'LANGUAGE_CODE', '')}:{request.path}")


class PublicPageCacheMiddleware:
    """Serves a kept answer in place of Wagtail's page view (only that view: the client pages,
    the admin and the rest of the site never look at the cache), and keeps the answers the
    pages marked. Place it after LocaleMiddleware (the language is part of the key)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name != "wagtail_serve" or not _eligible(request):
            return None
        key = _key(request)
        # One round trip for the entry and the current generation.
        found = cache.get_many([key, GENERATION_KEY])
        current = found.get(GENERATION_KEY) or generation()
        request._terms_kit_public_page = (key, current)
        entry = found.get(key)
        if entry is None or entry[0] != current:
            return None  # absent, or made before the last change of a shown record
        _generation, content, headers = entry
        response = HttpResponse(content, headers=headers)
        response["X-Terms-Kit-Cache"] = "hit"
        return response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_terms_kit_public_page", None)
        if (pending is not None and getattr(response, ATTRIBUTE, False)
                and response.status_code == 200 and not response.cookies
                and not response.streaming):
            key, current = pending
            cache.set(key, (current, response.content, dict(response.headers.items())), TIMEOUT)
        return response
