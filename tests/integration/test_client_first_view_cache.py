"""The client review page of a sent quote is served whole from the shared cache after its
first view (acceptance/first_view_cache.py), and that never costs correctness: the link is
checked on every request, every request counts in the rate limit, the forms still post with
this browser's CSRF token, no entry holds a token or a CSRF value or answers another link,
and every state change shows at once."""

import re
from decimal import Decimal

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terms_kit.acceptance import first_view_cache
from terms_kit.models import AccessLink
from terms_kit.services import payments
from terms_kit.services.acceptance import revoke_links, send_to_client
from terms_kit.services.status import change_status
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


def get(client, token):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("review", token))
    return response, len(queries)


def entry(link):
    link.engagement.refresh_from_db()
    return cache.get(first_view_cache._key(link))


def csrf_field(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                     response.content.decode()).group(1)


def test_the_second_view_is_the_cached_page_with_this_requests_token_and_csrf(sent):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    client = Client(enforce_csrf_checks=True)
    first, first_queries = get(client, token)
    second, second_queries = get(client, token)
    assert first.status_code == second.status_code == 200
    assert second_queries < first_queries
    assert second.context is None  # nothing rendered: the page came from the cache
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    # The same page but for the CSRF value, which Django masks afresh on every request.
    mask = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert mask.sub("", second.content.decode()) == mask.sub("", first.content.decode())
    assert url("code", token) in second.content.decode()
    assert engagement.number in second.content.decode()

    stored = entry(sent_link.link)
    assert token not in stored["html"]
    assert client.cookies["csrftoken"].value not in stored["html"]
    assert "csrfmiddlewaretoken" in stored["html"]

    # The form of the cached page posts (CSRF checked for real) and its answer is rendered.
    answer = client.post(url("code", token), {"csrfmiddlewaretoken": csrf_field(second)})
    assert answer.status_code == 302


def test_a_browser_without_a_csrf_cookie_gets_one_that_matches_the_cached_forms(sent):
    _engagement, sent_link = sent("S2")
    token = sent_link.token
    Client().get(url("review", token))  # fills the cache
    newcomer = Client(enforce_csrf_checks=True)
    page, _ = get(newcomer, token)
    assert page.context is None
    assert "csrftoken" in page.cookies
    answer = newcomer.post(url("code", token), {"csrfmiddlewaretoken": csrf_field(page)})
    assert answer.status_code == 302


def test_two_links_never_share_an_entry(sent):
    _a, link_a = sent("S2")
    _b, link_b = sent("S1")
    client = Client()
    for _ in range(2):
        page_a = client.get(url("review", link_a.token)).content.decode()
        page_b = client.get(url("review", link_b.token)).content.decode()
    assert link_a.token in page_a and link_b.token not in page_a
    assert link_b.token in page_b and link_a.token not in page_b
    assert link_a.link.engagement.number in page_a
    assert link_b.link.engagement.number not in page_a
    assert first_view_cache._key(link_a.link) != first_view_cache._key(link_b.link)


def test_a_revoked_or_expired_link_is_refused_although_its_page_is_cached(sent):
    engagement, sent_link = sent("S2")
    client = Client()
    client.get(url("review", sent_link.token))
    assert entry(sent_link.link) is not None
    AccessLink.objects.filter(pk=sent_link.link.pk).update(expires_at=timezone.now())
    assert client.get(url("review", sent_link.token)).status_code == 410

    _again, other = sent("S1")
    client.get(url("review", other.token))
    revoke_links(other.link.engagement)
    assert client.get(url("review", other.token)).status_code == 410


def test_a_resent_link_shows_its_newly_issued_documents_and_the_old_one_is_refused(sent):
    engagement, first_link = sent("S2")
    client = Client()
    client.get(url("review", first_link.token))
    new_link = send_to_client(engagement, engagement.owner)
    assert client.get(url("review", first_link.token)).status_code == 410
    new_page = client.get(url("review", new_link.token)).content.decode()
    shown = {int(pk) for pk in re.findall(r"/documents/(\d+)\.pdf", new_page)}
    assert shown == set(new_link.link.documents.values_list("pk", flat=True))
    assert first_link.token not in new_page


@pytest.mark.parametrize("status", [Status.DECLINED, Status.EXPIRED, Status.CANCELLED])
def test_a_status_change_shows_at_once(sent, status):
    engagement, sent_link = sent("S2")
    client = Client()
    client.get(url("review", sent_link.token))
    client.get(url("review", sent_link.token))
    change_status(engagement, status, note="test")
    page = client.get(url("review", sent_link.token))
    assert page.context is not None  # rendered, not the sent quote's entry
    assert 'id="send-code"' not in page.content.decode()


def test_acceptance_withdrawal_and_payment_show_at_once(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    Client().get(url("review", token))
    Client().get(url("review", token))  # another browser: from the cache
    verify_email(client, token)
    after_code = client.get(url("review", token))
    assert after_code.context is not None and after_code.context["session_verified"]
    assert 'id="accept-form"' in after_code.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accept", token), accept_form(["terms", "deposit"]))
    for browser in (client, Client()):
        page = browser.get(url("review", token))
        assert page.context["accepted"] is not None
        assert 'id="download-sealed"' in page.content.decode()

    engagement.refresh_from_db()
    before = Client().get(url("review", token)).context["money"]
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=Decimal("100.00"),
                                paid_on=timezone.localdate(), method="transfer")
    after = Client().get(url("review", token)).context["money"]
    assert after != before


def test_a_refused_post_shows_its_errors_not_the_cached_page(sent, client):
    _engagement, sent_link = sent("S2")
    token = sent_link.token
    client.get(url("review", token))
    client.session  # noqa: B018 (a session for the flash below)
    session = client.session
    session["terms_kit_errors"] = {"code": "Wrong code (test)"}
    session.save()
    page = client.get(url("review", token))
    assert page.context is not None
    assert "Wrong code (test)" in page.content.decode()
    assert client.get(url("review", token)).context is None  # shown once, then cached again


def test_every_cached_view_still_counts_in_the_rate_limit(sent, client, settings):
    settings.TERMS_KIT = {**settings.TERMS_KIT, "RATE_LIMITS": {"client": (3, 60)}}
    _engagement, sent_link = sent("S2")
    statuses = [client.get(url("review", sent_link.token)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
