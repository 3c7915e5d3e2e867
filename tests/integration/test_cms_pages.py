"""The public page types: terms pages (current version, permanent address of each version,
diff), offer pages and the booking form (bad input creates nothing; an offer the checker
refuses sells nothing; the engagement always belongs to the page's expert), the blocks for
host sites, constant queries, and the booking confirmation to both sides."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terms_kit.models import (
    Client,
    Engagement,
    OfferBooking,
    SentMessage,
    TermsVersion,
)
from terms_kit.services.terms import publish_terms
from terms_kit.status import Status
from tests.integration.pages_helpers import (
    b2b_ready,
    build_offer_site,
    business_details,
    consumer_details,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(expert, make_engagement, sealed_settings, text_pdfs):
    template = make_engagement("S1", change=b2b_ready)
    offer, consumer, business = build_offer_site(expert, template)
    return offer, consumer, business, template


def counts():
    return (Engagement.objects.count(), Client.objects.count(), OfferBooking.objects.count(),
            SentMessage.objects.count())


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries)


# --- Terms page -------------------------------------------------------------------------

def test_terms_page_shows_the_current_version_and_keeps_the_old_one_at_its_permalink(
        client, site, expert):
    _offer, consumer, _business, template = site
    first = template.terms_version
    page = client.get(consumer.url).content.decode()
    assert "Objet" in page and f"Version {first.version}" in page and first.content_hash in page
    permalink = consumer.url + f"v/{first.version}/"
    assert client.get(permalink).status_code == 200

    # A new version replaces the first one (as editing a sent, published version does).
    body = first.body.replace("# 1. Objet", "# 1. Objet du contrat")
    second = TermsVersion.objects.create(owner=expert, title=first.title, language="fr",
                                         body=body, supersedes=first)
    publish_terms(second)
    current = client.get(consumer.url).content.decode()
    assert "Objet du contrat" in current and f"Version {second.version}" in current
    old = client.get(permalink).content.decode()
    assert 'id="old-version"' in old and "Objet du contrat" not in old
    assert first.content_hash in old
    diff = client.get(consumer.url + f"diff/{first.version}/{second.version}/").content.decode()
    assert "Objet du contrat" in diff and "<ins>" in diff
    # A version of another series (the business terms) is not served under this page.
    other = TermsVersion.objects.filter(owner=expert, published_at__isnull=False).exclude(
        pk__in=[first.pk, second.pk]).first()
    assert client.get(consumer.url + f"v/{other.version}/").status_code == 404


def test_terms_permalink_names_the_page_that_serves_the_version(site):
    from terms_kit.models.pages import terms_permalink

    _offer, consumer, _business, template = site
    url = terms_permalink(template.terms_version)
    assert url.endswith(consumer.url + f"v/{template.terms_version.version}/")


def test_terms_page_queries_do_not_grow_with_the_number_of_versions(client, site, expert):
    _offer, consumer, _business, template = site
    before = queries(client, consumer.url)
    previous = template.terms_version
    for number in range(4):
        newer = TermsVersion.objects.create(owner=expert, title=previous.title, language="fr",
                                            body=previous.body + f"\nAjout {number}.",
                                            supersedes=previous)
        previous = publish_terms(newer)
    assert queries(client, consumer.url) == before
    assert queries(client, consumer.url + f"v/{template.terms_version.version}/") == before


# --- Offer page -------------------------------------------------------------------------

def test_offer_page_shows_the_template_price_payment_faq_and_the_book_button(client, site):
    offer, *_ = site
    page = client.get(offer.url).content.decode()
    assert "60.00" in page and "TVA non applicable" in page
    assert "pré-autoris" in page or "pre-authorised" in page
    assert "Et si je dois annuler" in page and "Conseillère fiscale" in page
    assert f'href="{offer.url}book/"' in page
    assert client.get(offer.url + "book/").status_code == 200


def test_offer_page_queries_are_constant(client, site):
    offer, *_ = site
    before = queries(client, offer.url)
    offer.body = list(offer.body.raw_data) + [
        {"type": "faq", "value": [{"question": f"Q{i}", "answer": "R"} for i in range(5)]},
        {"type": "price", "value": {"heading": "Encore"}},
    ]
    offer.save_revision().publish()
    assert queries(client, offer.url) == before
    assert queries(client, offer.url + "book/") <= before + 2


def test_a_consumer_books_the_offer_and_is_sent_into_the_acceptance_flow(
        client, site, expert, django_capture_on_commit_callbacks):
    offer, consumer, _business, template = site
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.url + "book/", consumer_details())
    assert response.status_code == 302 and response["Location"].startswith("/terms/c/")
    booking = OfferBooking.objects.get()
    engagement = booking.engagement
    assert engagement.owner == expert and engagement.status == Status.SENT
    assert engagement.pk != template.pk and template.status == Status.DRAFT
    assert engagement.client.name == "Léa Moreau" and engagement.client.owner == expert
    assert engagement.early_start_requested
    assert engagement.start_date == timezone.localdate() + datetime.timedelta(days=3)
    assert engagement.terms_version == consumer.series().current
    assert [m.to for m in mail.outbox] == [["lea.moreau@example.net"]]
    # The client page the visitor lands on is the existing acceptance flow.
    assert client.get(response["Location"]).status_code == 200


def test_a_business_gets_the_business_terms(client, site, expert,
                                            django_capture_on_commit_callbacks):
    offer, _consumer, business, _template = site
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.url + "book/", business_details())
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = OfferBooking.objects.get().engagement
    assert engagement.client.kind == "business" and engagement.client.contact_name == "Léa Moreau"
    assert engagement.terms_version == business.series().current
    assert not engagement.early_start_requested


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "This field is required"),
    ({"email": "pas-une-adresse"}, "email", "valid email"),
    ({"name": "<script>alert(1)</script>"}, "name", "are not accepted"),
    ({"city": "{{ expert.iban }}"}, "city", "are not accepted"),
    ({"early_start": None}, "early_start", "within your 14-day withdrawal period"),
    ({"start_date": None}, "start_date", "This field is required"),
    ({"kind": "business", "contact_name": ""}, "contact_name", "name of the person"),
    ({"kind": "business", "contact_name": "X", "siren": "123"}, "siren", "SIREN"),
])
def test_bad_input_on_the_offer_form_gets_a_clear_message_and_creates_nothing(
        client, site, change, field, message):
    offer, *_ = site
    before = counts()
    response = client.post(offer.url + "book/", consumer_details(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert counts() == before


@pytest.mark.parametrize("days_ahead, asked", [(0, True), (14, True), (15, False)])
def test_the_early_start_request_is_required_only_within_the_14_days(
        client, site, days_ahead, asked, django_capture_on_commit_callbacks):
    """A private person starting within the 14 days of withdrawal (today included, the 14th
    day included) must ask for the early start; from the 15th day on the box is not needed."""
    offer, *_ = site
    before = counts()
    start = timezone.localdate() + datetime.timedelta(days=days_ahead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.url + "book/", consumer_details(
            start_date=start.isoformat(), early_start=None))
    if asked:
        assert response.status_code == 200 and "early_start" in response.context["form"].errors
        assert "within your 14-day withdrawal period" in response.content.decode()
        assert counts() == before
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        engagement = OfferBooking.objects.get().engagement
        assert engagement.start_date == start and not engagement.early_start_requested


def test_a_start_date_in_the_past_is_refused_and_creates_nothing(client, site):
    offer, *_ = site
    before = counts()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(offer.url + "book/", consumer_details(start_date=yesterday.isoformat()))
    assert response.status_code == 200 and "Choose a date from today on." in \
        response.content.decode()
    assert counts() == before


def test_an_offer_the_checker_refuses_sells_nothing(client, site, expert, make_engagement):
    offer, *_ = site
    # A template whose warnings the expert never acknowledged (S2 has one): refused.
    offer.quote_template = make_engagement("S2")
    offer.audience = "business"
    offer.save_revision().publish()
    before = counts()
    response = client.post(offer.url + "book/", business_details())
    assert response.status_code == 200
    assert "cannot be booked online" in response.content.decode()
    assert counts() == before


def test_the_engagement_belongs_to_the_page_expert_whatever_is_posted(client, site, expert,
                                                                    make_expert):
    offer, *_ = site
    other = make_expert("other")
    client.post(offer.url + "book/", consumer_details(owner=other.pk, expert=other.pk))
    assert OfferBooking.objects.get().engagement.owner == expert
    assert not Engagement.objects.filter(owner=other).exists()


def test_a_template_of_another_expert_sells_nothing(client, site, make_expert,
                                                    make_engagement):
    offer, *_ = site
    other = make_expert("other")
    offer.quote_template = make_engagement("S1", owner=other)
    offer.save_revision().publish()
    before = counts()
    response = client.post(offer.url + "book/", consumer_details())
    assert "cannot be booked online" in response.content.decode()
    assert counts() == before


def test_the_public_form_is_rate_limited(client, site, settings):
    offer, *_ = site
    settings.TERMS_KIT = {**settings.TERMS_KIT, "RATE_LIMITS": {"offer": (2, 600)}}
    for _attempt in range(2):
        assert client.post(offer.url + "book/", {"name": ""}).status_code == 200
    assert client.post(offer.url + "book/", {"name": ""}).status_code == 429


def test_the_form_needs_csrf(site):
    from django.test import Client as HttpClient

    offer, *_ = site
    strict = HttpClient(enforce_csrf_checks=True)
    assert strict.post(offer.url + "book/", consumer_details()).status_code == 403
    assert not OfferBooking.objects.exists()


# --- Confirmation -----------------------------------------------------------------------

def test_the_booking_is_confirmed_to_both_sides_once_the_card_hold_is_in_place(
        client, site, expert, django_capture_on_commit_callbacks):
    from terms_kit.services import payments
    from terms_kit.services.acceptance import SentLink
    from terms_kit.services.bookings import confirm_booking
    from tests.integration.stripe_helpers import accept_engagement  # the real service

    offer, *_ = site
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.url + "book/", consumer_details())
    token = response["Location"].split("/")[3]
    engagement = OfferBooking.objects.get().engagement
    accept_engagement(SentLink(engagement.access_links.get(), token, ""))
    assert not SentMessage.objects.filter(kind__startswith="booking_confirmed").exists()
    [hold] = engagement.instalments.filter(kind="preauthorisation")
    with django_capture_on_commit_callbacks(execute=True):
        payments.secure_instalment(hold, reference="test hold")
    confirmations = SentMessage.objects.filter(kind__startswith="booking_confirmed")
    assert sorted((m.kind, m.recipients[0]) for m in confirmations) == [
        ("booking_confirmed_client", "lea.moreau@example.net"),
        ("booking_confirmed_expert", engagement.identity.email)]
    assert "Appel conseil fiscal" in confirmations.get(kind="booking_confirmed_client").body
    confirm_booking(engagement.pk)  # again: nothing more is sent
    assert confirmations.count() == 2


def test_the_expert_finds_the_booked_engagement_in_the_admin_with_its_evidence(
        client, site, expert, make_expert, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from terms_kit.models import ConsentRecord, SealedFile
    from terms_kit.services.acceptance import SentLink
    from tests.integration.stripe_helpers import accept_engagement  # the real service

    offer, *_ = site
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.url + "book/", consumer_details())
    token = response["Location"].split("/")[3]
    engagement = OfferBooking.objects.get().engagement
    accept_engagement(SentLink(engagement.access_links.get(), token, ""))
    record = ConsentRecord.objects.get(engagement=engagement, kind="acceptance")
    sealed = SealedFile.objects.get(record=record)

    client.force_login(expert)
    listing = client.get(reverse("terms_kit_engagement:index")).content.decode()
    assert engagement.number in listing
    status = client.get(reverse("terms_kit_engagement:status", args=[engagement.pk]))
    html = status.content.decode()
    assert 'id="booked-from"' in html and offer.title in html
    assert f"#{record.sequence}" in html and record.record_hash[:10] in html
    download = reverse("terms_kit_sealed_download", args=[sealed.pk])
    assert download in html
    pack = client.get(download)
    assert pack.status_code == 200 and b"".join(pack.streaming_content if pack.streaming
                                                else [pack.content]).startswith(b"%PDF")
    # Another expert neither sees it nor opens its evidence.
    client.force_login(make_expert("intrus"))
    assert engagement.number not in client.get(
        reverse("terms_kit_engagement:index")).content.decode()
    assert client.get(reverse("terms_kit_engagement:status", args=[engagement.pk])
                      ).status_code in (403, 404)
    assert client.get(download).status_code in (403, 404)


# --- Blocks for host sites --------------------------------------------------------------

def test_host_site_blocks_render_the_offer_conditions_terms_excerpt_and_button(site):
    from terms_kit.pages.blocks import HostSiteBlock

    offer, consumer, *_ = site
    stream = HostSiteBlock().to_python([
        {"type": "payment_conditions", "value": {"offer": offer.pk, "heading": ""}},
        {"type": "terms_excerpt", "value": {"terms_page": consumer.pk, "sections": 1}},
        {"type": "accept_and_pay", "value": {"offer": offer.pk, "label": ""}},
    ])
    html = str(stream.render_as_block({}))
    assert "60.00" in html and consumer.url in html and "Objet" in html
    assert f'href="{offer.url}book/"' in html


# --- The expert's check of an offer (admin) ---------------------------------------------

def test_offer_check_lists_findings_per_kind_and_only_for_the_page_expert(client, site, expert,
                                                                       make_expert,
                                                                       make_engagement):
    offer, *_ = site
    offer.quote_template = make_engagement("S2")  # a warning nobody acknowledged yet
    offer.audience = "business"
    offer.save_revision().publish()
    url = f"/admin/terms-kit/offers/{offer.pk}/check/"
    other = make_expert("other")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(expert)
    page = client.get(url).content.decode()
    assert 'id="check-business"' in page and "not acknowledged" in page
    assert 'id="check-consumer"' not in page
    assert client.post(url).status_code == 302
    assert "not acknowledged" not in client.get(url).content.decode()
    client.logout()
    response = client.post(offer.url + "book/", business_details())
    assert response.status_code == 302
    assert OfferBooking.objects.get().engagement.owner == expert


def test_the_admin_page_form_offers_an_expert_only_their_own_records(site, expert,
                                                                     make_expert,
                                                                     make_engagement):
    from terms_kit.models import OfferPage

    offer, consumer, *_ = site
    other = make_expert("other")
    own_draft = make_engagement("S1", owner=other)
    form_class = OfferPage.get_edit_handler().get_form_class()
    form = form_class(instance=OfferPage(), for_user=other)
    assert list(form.fields["expert"].queryset) == [other]
    assert list(form.fields["quote_template"].queryset) == [own_draft]


# --- The verification page in the host site's frame ---------------------------------------

def test_the_verification_page_takes_the_host_sites_frame_or_the_apps_own(client, settings):
    """/terms/verify/ extends terms_kit/pages/base.html: the demo site's override of that
    template puts it in the site's look; a site without one gets terms_kit's own frame. Either
    way no inline style (the page's Content-Security-Policy allows only the site's files)."""
    demo = client.get("/terms/verify/")
    html = demo.content.decode()
    assert 'class="site-header"' in html and "home/site.css" in html and 'id="verify-form"' in html
    assert "<style" not in html and "style-src 'self'" in demo["Content-Security-Policy"]
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]  # a host site without it
    html = client.get("/terms/verify/").content.decode()
    assert "site-header" not in html and "terms_kit/pages.css" in html
    assert 'id="verify-form"' in html and 'class="tk-skip"' in html and "<style" not in html

