"""axe-core finds no serious or critical violation on the public and client pages, on a
phone (390 px) and a laptop (1366 px).

To check a new page add one line to PAGES: a name and a function (site, page) that opens it
(``site`` builds the scenario data it needs once and knows the live server's address).
"""

from functools import cached_property

import pytest
from acceptance_helpers import last_code
from accessibility import assert_accessible, axe_source
from pages_helpers import b2b_ready, build_offer_site
from plans_helpers import days, make_overdue
from reconsent_helpers import NoCapture, on_version, versions

from terms_kit.models import TermsVersion
from terms_kit.services import plans, reconsent
from terms_kit.services.terms import publish_terms

pytestmark = [pytest.mark.django_db(transaction=True)]


class Site:
    """The scenario data the pages need, made on first use, through the real services."""

    def __init__(self, live_server, sent, accepted, make_engagement, expert):
        self.base, self._sent, self._accepted = live_server.url, sent, accepted
        self._make_engagement, self._expert = make_engagement, expert

    def url(self, path):
        return self.base + path

    @cached_property
    def quote_token(self):  # S1: a consumer's prepaid call, sent and not signed yet
        return self._sent("S1")[1].token

    @cached_property
    def overdue(self):  # S2 accepted; its first milestone invoice is overdue
        return make_overdue(self._accepted, NoCapture())

    @cached_property
    def plan_token(self):
        engagement, invoice = self.overdue
        return plans.offer_plan(engagement, invoices=[invoice],
                                instalments=plans.even_split(plans.outstanding(invoice), 3,
                                                             days(7)),
                                user=engagement.owner, base_url=self.base).token

    @cached_property
    def reconsent_token(self):
        engagement, _invoice = self.overdue
        v1, v2 = versions(engagement.owner)
        on_version(engagement, v1)
        return reconsent.send_reconsent(v2, engagement, engagement.owner, self.base).token


    @cached_property
    def offer(self):
        """The S1 offer page and its terms pages; the private persons' terms get a second
        version, so the page has an old version's permanent address and a diff."""
        offer, consumer, _business = build_offer_site(
            self._expert, self._make_engagement("S1", change=b2b_ready))
        first = consumer.terms
        newer = TermsVersion.objects.create(
            owner=first.owner, title=first.title, language=first.language,
            body=first.body + "\n\n# 99. Ajout\n\nUn paragraphe de plus.", supersedes=first)
        publish_terms(newer)
        return offer, consumer, first, newer


def booking_form_errors(site, page):
    """The booking form sent empty: every message next to its field."""
    page.goto(site.url(site.offer[0].url + "book/"))
    page.click("#book-submit")
    page.wait_for_selector("#form-errors")


def terms_page(suffix):
    def open_page(site, page):
        _offer, consumer, first, newer = site.offer
        page.goto(site.url(consumer.url + suffix.format(old=first.version, new=newer.version)))
    return open_page


def signing_steps(site, page):
    """The review page with the e-mail confirmed: the consents and signature form."""
    page.goto(site.url(f"/terms/c/{site.quote_token}/"))
    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    page.wait_for_selector("#accept-form")


PAGES = [
    ("home page", lambda site, page: page.goto(site.url("/"))),
    ("verification page", lambda site, page: page.goto(site.url("/terms/verify/"))),
    ("review page", lambda site, page: page.goto(site.url(f"/terms/c/{site.quote_token}/"))),
    ("acceptance steps", signing_steps),
    ("pay page (accepted quote, what is due)",
     lambda site, page: page.goto(site.url(f"/terms/c/{site.overdue[0].client_token}/"))),
    ("instalment plan page",
     lambda site, page: page.goto(site.url(f"/terms/c/{site.plan_token}/"))),
    ("new terms page (re-consent)",
     lambda site, page: page.goto(site.url(f"/terms/c/{site.reconsent_token}/"))),
    ("invalid link page", lambda site, page: page.goto(site.url("/terms/c/not-a-token/"))),
    ("offer page", lambda site, page: page.goto(site.url(site.offer[0].url))),
    ("booking form with its error messages", booking_form_errors),
    ("terms page (current version)", terms_page("")),
    ("terms page (an old version's permanent address)", terms_page("v/{old}/")),
    ("terms diff page", terms_page("diff/{old}/{new}/")),
]


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_no_serious_or_critical_violation(width, height, browser, live_server, sent, accepted,
                                         make_engagement, expert, text_pdfs, settings):
    axe_source()  # skip or fail at once when axe-core is not installed
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PUBLIC_BASE_URL": live_server.url}
    site = Site(live_server, sent, accepted, make_engagement, expert)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    failures = []
    for name, open_page in PAGES:
        open_page(site, page)
        try:
            assert_accessible(page, f"{name} at {width} px")
        except AssertionError as exc:
            failures.append(str(exc))
    context.close()
    assert not failures, "\n".join(failures)
