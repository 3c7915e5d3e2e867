"""The client page and the public pages under load (issues 14 and 16): queries per page do
not grow with the data, and what the caches keep is never stale nor shown to someone else.

The client page keeps its frozen parts (summary, consents, documents shown) per link and
state; the terms, offer and home pages keep their whole answer for anonymous visitors until
a shown record changes (terms_kit/pages/cache.py). Speed itself is measured by
bench/client_page.py, not here.
"""

import re
from decimal import Decimal

import pytest
from acceptance_helpers import url
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terms_kit.models import EngagementLine, TermsVersion
from terms_kit.services import payments
from terms_kit.services.status import change_status
from terms_kit.services.terms import publish_terms
from terms_kit.status import Status
from tests.integration.pages_helpers import b2b_ready, build_offer_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_pdfs(text_pdfs):
    """Documents as text PDFs: these tests are about the pages, not the conversion."""


def get(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return response, len(captured.captured_queries)


def more_lines(count):
    def change(spec):
        line = spec["engagement"]["lines"][0]
        spec["engagement"]["lines"] = [
            {**line, "description": f"{line['description']} ({n})"} for n in range(count)]
    return change


# --- Client review page -------------------------------------------------------------------

def test_client_page_queries_do_not_grow_with_the_lines(client, sent):
    _, short = sent("S1")
    _, long = sent("S1", change=more_lines(12))
    for token in (short.token, long.token):
        get(client, url("review", token))  # the first view builds the cached parts
    counts = [get(client, url("review", token))[1] for token in (short.token, long.token)]
    assert counts[0] == counts[1] <= 3


def test_accepted_client_page_queries_do_not_grow_with_the_payments(client, accepted):
    engagement, sent_link = accepted("S3")
    path = url("review", sent_link.token)
    get(client, path)
    before = get(client, path)[1]
    today = timezone.localdate()
    for n in range(3):
        payments.record_payment(engagement, amount="100.00", paid_on=today,
                                method="transfer", reference=f"VIR {n}")
    response, after = get(client, path)
    assert after == before
    assert len(response.context["money"]["payments"]) == 3


def test_a_status_change_shows_at_once(client, sent):
    engagement, sent_link = sent("S2")
    path = url("review", sent_link.token)
    assert 'id="step-email"' in get(client, path)[0].content.decode()
    change_status(engagement, Status.EXPIRED, note="validity over")
    page = get(client, path)[0].content.decode()
    assert 'id="step-email"' not in page
    assert "ne peut plus être accepté en ligne" in page  # the link speaks the client's French


def test_a_payment_shows_at_once(client, accepted):
    engagement, sent_link = accepted("S3")
    path = url("review", sent_link.token)
    first = get(client, path)[0]
    assert first.context["money"]["payments"] == []
    payments.record_payment(engagement, amount="900.00", paid_on=timezone.localdate(),
                            method="card_terminal", reference="TPE 1")
    second = get(client, path)[0]
    assert len(second.context["money"]["payments"]) == 1
    assert second.context["money"]["left_to_pay"] != first.context["money"]["left_to_pay"]


def test_each_token_sees_only_its_own_engagement(client, sent):
    first, first_link = sent("S2")
    second, second_link = sent("S1")
    for _ in range(2):  # cold, then from the cache
        one = get(client, url("review", first_link.token))[0].content.decode()
        two = get(client, url("review", second_link.token))[0].content.decode()
        assert first.number in one and second.number not in one
        assert second.number in two and first.number not in two
        assert first.title in one and second.title not in one


def test_a_new_link_replaces_the_cached_one(client, sent, django_capture_on_commit_callbacks):
    from terms_kit.services.acceptance import send_to_client

    engagement, old = sent("S2")
    get(client, url("review", old.token))
    with django_capture_on_commit_callbacks(execute=True):
        new = send_to_client(engagement, engagement.owner)
    assert client.get(url("review", old.token)).status_code == 410
    page = get(client, url("review", new.token))[0]
    assert page.context["documents"] and all(
        d["pk"] in set(new.link.documents.values_list("pk", flat=True))
        for d in page.context["documents"])


def test_a_page_view_writes_no_session_and_still_counts_in_the_rate_limit(client, sent,
                                                                          settings):
    _, sent_link = sent("S2")
    settings.TERMS_KIT = {**settings.TERMS_KIT, "RATE_LIMITS": {"client": (3, 600)}}
    path = url("review", sent_link.token)
    responses = [client.get(path) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert all(settings.SESSION_COOKIE_NAME not in r.cookies for r in responses)


# --- Public pages -------------------------------------------------------------------------

@pytest.fixture
def site(expert, make_engagement, sealed_settings, text_pdfs):
    template = make_engagement("S1", change=b2b_ready)
    offer, consumer, business = build_offer_site(expert, template)
    return offer, consumer, business, template


def uncached(client):
    """A visitor with a session (an editor): always served by Wagtail, never from the cache."""
    client.cookies["sessionid"] = "not-a-real-session"
    return client


def test_public_pages_come_from_the_cache_without_a_query(client, site):
    offer, consumer, _business, template = site
    paths = [offer.url, consumer.url, consumer.url + f"v/{template.terms_version.version}/",
             consumer.url + f"diff/{template.terms_version.version}/"
             f"{template.terms_version.version}/"]
    for path in paths:
        first, first_count = get(client, path)
        second, second_count = get(client, path)
        assert first_count > 0 and second_count == 0, path
        assert second["X-Terms-Kit-Cache"] == "hit"
        assert second.content == first.content


def test_the_booking_form_and_visitors_with_a_session_are_never_cached(client, site):
    offer, consumer, *_ = site
    get(client, offer.url + "book/")
    assert "X-Terms-Kit-Cache" not in get(client, offer.url + "book/")[0]
    get(client, consumer.url)  # kept for anonymous visitors
    editor = uncached(client)
    response, count = get(editor, consumer.url)
    assert count > 0 and "X-Terms-Kit-Cache" not in response
    query_string = get(client, consumer.url + "?x=1")[0]
    assert "X-Terms-Kit-Cache" not in query_string


def test_a_new_terms_version_shows_at_once(client, site, expert):
    _offer, consumer, _business, template = site
    old = template.terms_version
    assert f"Version {old.version}" in get(client, consumer.url)[0].content.decode()
    newer = publish_terms(TermsVersion.objects.create(
        owner=expert, title=old.title, language="fr", body=old.body + "\nClause nouvelle.",
        supersedes=old))
    page = get(client, consumer.url)[0]
    assert "X-Terms-Kit-Cache" not in page
    assert f"Version {newer.version}" in page.content.decode()
    # The old version keeps its permanent address, with its old text.
    permalink = get(client, consumer.url + f"v/{old.version}/")[0].content.decode()
    assert "Clause nouvelle" not in permalink


def test_a_price_change_in_the_quote_template_shows_at_once(client, site):
    offer, _consumer, _business, template = site
    assert "60.00" in get(client, offer.url)[0].content.decode()
    line = template.lines.first()
    line.unit_price = Decimal("75.00")
    line.save()
    page = get(client, offer.url)[0].content.decode()
    assert "75.00" in page and "60.00" not in page


def test_clients_and_money_leave_the_kept_pages_alone(client, site, accepted):
    """What clients and payments write is never on a public page: it must not empty the cache
    (it is written far more often than pages change), while a draft quote template is."""
    from terms_kit.pages import cache as page_cache

    offer, _consumer, _business, template = site
    engagement, link = accepted("S3")  # made as a draft (which does count), sent, accepted
    get(client, offer.url)
    before = page_cache.generation()
    get(client, url("review", link.token))  # the client's visit
    payments.record_payment(engagement, amount="900.00", paid_on=timezone.localdate(),
                            method="card_terminal", reference="TPE 1")  # money, status, invoice
    assert page_cache.generation() == before
    assert get(client, offer.url)[0]["X-Terms-Kit-Cache"] == "hit"
    template.save()  # the offer's quote template: a draft engagement, shown on the page
    assert page_cache.generation() != before
    assert "X-Terms-Kit-Cache" not in get(client, offer.url)[0]


def test_a_page_rendered_before_a_change_is_not_kept_as_current(client, site, monkeypatch):
    """The generation is read before rendering: an answer made while a shown record changes
    carries the older number, so the next visitor gets a fresh page."""
    from terms_kit.models import OfferPage
    from terms_kit.pages import cache as page_cache

    offer, *_ = site
    summary = OfferPage.summary

    def summary_while_a_change_lands(self, *args, **kwargs):
        page_cache.bump()  # another process saves a shown record now
        return summary(self, *args, **kwargs)

    monkeypatch.setattr(OfferPage, "summary", summary_while_a_change_lands)
    client.get(offer.url)
    monkeypatch.setattr(OfferPage, "summary", summary)
    assert "X-Terms-Kit-Cache" not in client.get(offer.url)
    assert client.get(offer.url)["X-Terms-Kit-Cache"] == "hit"


def test_public_page_queries_do_not_grow_with_versions_lines_and_blocks(client, site, expert):
    offer, consumer, _business, template = site
    editor = uncached(client)
    before = {path: get(editor, path)[1] for path in (offer.url, consumer.url)}
    previous = template.terms_version
    for n in range(3):
        previous = publish_terms(TermsVersion.objects.create(
            owner=expert, title=previous.title, language="fr",
            body=previous.body + f"\nAjout {n}.", supersedes=previous))
    first = template.lines.first()
    for n in range(5):
        EngagementLine.objects.create(
            engagement=template, sort_order=10 + n, description=f"Option {n}",
            quantity=first.quantity, unit=first.unit, unit_price=first.unit_price,
            vat_rate=first.vat_rate, vat_exemption=first.vat_exemption)
    after = {path: get(editor, path)[1] for path in (offer.url, consumer.url)}
    assert after == before
    assert re.search(r"Option 4", get(editor, offer.url)[0].content.decode())

