"""The expert's admin home (/admin/): the dashboard panel over HTTP.

Engagements reach their states through the real services (send, open the link, accept with
the mailed code, pay); another expert sees none of them; the number of queries does not grow
with the number of engagements.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import WizardState
from terms_kit.services import acceptance
from terms_kit.services.payments import record_payment
from tests.wizard_answers import STEP_ORDER

pytestmark = pytest.mark.django_db

HOME = "/admin/"


def titled(title):
    def change(data):
        data["engagement"]["title"] = title
    return change


def section(html, key):
    """The HTML of one dashboard list."""
    found = re.search(rf'<section class="tk-dashboard-section" id="tk-{key}".*?</section>',
                      html, re.S)
    assert found, f"no section {key}"
    return found.group(0)


@pytest.fixture
def alice(make_expert):
    return make_expert("alice")


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


@pytest.fixture
def accepted_for(sent, django_capture_on_commit_callbacks, text_pdfs):
    """Factory: scenario ``key`` accepted by its client, as ``owner``'s engagement."""
    from tests.integration.payments_helpers import accept

    def make(owner, key="S2", change=None):
        def sent_as(key, change=None):
            return sent(key, owner=owner, change=change)
        return accept(sent_as, key, change, django_capture_on_commit_callbacks)[0]
    return make


@pytest.fixture
def alice_world(alice, make_engagement, sent, accepted_for):
    """One engagement of Alice in each state the dashboard lists."""
    draft = make_engagement("S2", owner=alice, change=titled("Alice draft"))
    WizardState.objects.create(engagement=draft, completed_steps=list(STEP_ORDER))
    unopened, _link = sent("S2", owner=alice, change=titled("Alice unopened"))
    opened, opened_link = sent("S2", owner=alice, change=titled("Alice opened"))
    acceptance.resolve_link(opened_link.token)  # the client opens the page
    # S2 asks a 40 % deposit at acceptance: it falls due today, so work may not start yet.
    waiting = accepted_for(alice, change=titled("Alice waiting"))
    paid = accepted_for(alice, change=titled("Alice paid"))
    deposit = paid.instalments.get(kind="deposit")
    record_payment(paid, amount=deposit.amount, paid_on=timezone.localdate(), method="transfer",
                   user=alice)
    return {"draft": draft, "unopened": unopened, "opened": opened, "waiting": waiting,
            "paid": paid}


def status_url(engagement):
    return reverse("terms_kit_engagement:status", args=[engagement.pk])


def test_dashboard_lists_each_engagement_where_it_stands_and_links_to_it(client, alice,
                                                                         alice_world):
    client.force_login(alice)
    html = client.get(HOME).content.decode()
    w = alice_world
    drafts = section(html, "drafts")
    assert "Alice draft" in drafts
    assert reverse("terms_kit_wizard_review", args=[w["draft"].pk]) in drafts
    assert "Alice unopened" in section(html, "not-opened")
    assert "Alice unopened" not in section(html, "opened")
    assert "Alice opened" in section(html, "opened")
    assert status_url(w["opened"]) in section(html, "opened")
    signed = section(html, "signed")
    assert "Alice waiting" in signed and "Alice paid" in signed
    may_start = section(html, "may-start")
    assert "Alice paid" in may_start and status_url(w["paid"]) in may_start
    assert "Alice waiting" not in may_start
    waiting = section(html, "waiting")
    assert "Alice waiting" in waiting and "not paid yet" in waiting
    # The unpaid deposit fell due at acceptance (today): an action for today, to the ledger.
    today = section(html, "today")
    assert "Alice waiting" in today
    assert reverse("terms_kit_engagement_ledger", args=[w["waiting"].pk]) in today
    assert "Alice paid" not in today


def test_dashboard_lists_a_quote_past_its_validity_as_an_action(client, alice, sent):
    engagement, _link = sent("S1", owner=alice, change=titled("Alice stale"))
    type(engagement).objects.filter(pk=engagement.pk).update(
        validity_date=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(alice)
    today = section(client.get(HOME).content.decode(), "today")
    assert "Alice stale" in today and status_url(engagement) in today


def test_another_expert_sees_none_of_them(client, bob, alice_world, make_engagement):
    make_engagement("S1", owner=bob, change=titled("Bob draft"))
    client.force_login(bob)
    html = client.get(HOME).content.decode()
    assert "Bob draft" in section(html, "drafts")
    for engagement in alice_world.values():
        assert engagement.title not in html
        assert status_url(engagement) not in html


def test_no_panel_without_the_engagement_permission(client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("edith", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(HOME)
    assert response.status_code == 200
    assert b"terms-kit-dashboard" not in response.content


def test_dashboard_queries_do_not_grow_with_the_engagements(client, alice, alice_world,
                                                            accepted_for, sent,
                                                            make_engagement):
    client.force_login(alice)
    client.get(HOME)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as before:
        assert client.get(HOME).status_code == 200
    # One more of each kind.
    make_engagement("S2", owner=alice, change=titled("Alice draft 2"))
    sent("S2", owner=alice, change=titled("Alice unopened 2"))
    accepted_for(alice, change=titled("Alice waiting 2"))
    with CaptureQueriesContext(connection) as after:
        html = client.get(HOME).content.decode()
    assert "Alice waiting 2" in section(html, "waiting")
    assert len(after.captured_queries) == len(before.captured_queries), [
        q["sql"][:120] for q in after.captured_queries]


def test_dashboard_dates_and_amounts_follow_the_users_language(client, alice, alice_world):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(alice)
    profile.preferred_language = "fr"
    profile.save()
    client.force_login(alice)
    html = client.get(HOME).content.decode()
    today = section(html, "today")
    deposit = alice_world["waiting"].instalments.get(kind="deposit")
    # 40 % of S2's total incl. VAT, formatted by babel the French way: "2 880,00 €"
    whole, cents = f"{deposit.amount:.2f}".split(".")
    assert f"{int(whole):,}".replace(",", "\u202f") + f",{cents}\u00a0€" in today
    assert timezone.localdate().strftime("%d/%m/%Y") in today
