"""The client review page of a sent quote as everyone with the link first sees it, rendered
once per link, status and language and kept in the shared cache.

Which views: the quote is sent (not yet accepted, declined or replaced), this browser has not
confirmed the e-mail code, and nothing from a previous POST waits to be shown (form errors,
typed name, messages). That is the page a client opens from the e-mail, and the one every
reload shows until they ask for a code; any other view is rendered as before.

Never stale: the link is checked (revoked, expired) before this is consulted, on every
request; the status is in the key, and it is the only thing of the engagement this page
shows that can change (a sent engagement is frozen, its link's documents chosen when the link
is made: summary_cache.py), so acceptance, decline, expiry, cancellation or a new quote
replacing this one all leave the entry behind. A re-sent link has a new token, so a new key;
the old one is revoked. An acceptance is recorded in the same transaction as the status
change (services/acceptance.py), and a sent engagement never returns to "sent", so a page
for status "sent" is a page without an acceptance.

Isolation: the key is the link's token hash (random, never reused), and the entry holds
neither the token nor a CSRF value: both are rendered as random markers that are replaced
with this request's values on the way out (the CSRF token from this browser's cookie, which
also sets the cookie when it is missing, so the forms still post).
"""

import functools
import hashlib
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static

from ..status import Status

TIMEOUT = 3600
# Bump when the page's template or its context changes shape.
VERSION = 1
# What a refused POST leaves in the session for the next view of the page (views.py).
SESSION_INPUTS = ("terms_kit_errors", "terms_kit_full_name", "terms_kit_signer_role")


def applies(request, link, session_proof):
    """True when this view of the review page is the one kept in the cache."""
    return (link.engagement.status == Status.SENT
            and not session_proof
            and not any(name in request.session for name in SESSION_INPUTS)
            # len() reads the waiting messages without marking them shown.
            and not len(messages.get_messages(request)))


@functools.cache
def _static_fingerprint():
    # The page names the hashed CSS and script files: a deployment that changes them changes
    # every key, so no node serves a page pointing at files that are gone.
    names = static("terms_kit/client.css") + static("terms_kit/client.js")
    return hashlib.sha256(names.encode()).hexdigest()[:12]


def _key(link):
    return (f"terms_kit:client_first_view:v{VERSION}:{link.token_sha256}:"
            f"{link.engagement.status}:{link.language}:{_static_fingerprint()}")


def response(request, token, link, render):
    """The page from the cache, or rendered by ``render(token=..., csrf_token=...)`` (a string)
    with markers in place of both and kept; then this request's token and CSRF put back."""
    key = _key(link)
    entry = cache.get(key)
    if entry is None:
        token_marker, csrf_marker = secrets.token_hex(16), secrets.token_hex(16)
        entry = {"html": render(token=token_marker, csrf_token=csrf_marker),
                 "token_marker": token_marker, "csrf_marker": csrf_marker}
        cache.set(key, entry, TIMEOUT)
    html = (entry["html"].replace(entry["token_marker"], token)
            .replace(entry["csrf_marker"], get_token(request)))
    return HttpResponse(html)
