"""Defaults that would change the law silently, over HTTP: how the contract is made is asked
every time (nothing preselected), and the 40 EUR recovery indemnity between businesses is shown
as fixed by law and always stored, whatever is posted."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from terms_kit.compliance import check_engagement
from terms_kit.models import Engagement
from tests.conftest import scenario_spec
from tests.integration.test_wizard import (
    admin_client,  # noqa: F401  (fixture)
    post_step,
    publish_scenario_terms,
    step_url,
    walk,
)
from tests.wizard_answers import step_answers

pytestmark = pytest.mark.django_db


def _new_client_page(client, expert, key="S1"):
    spec = scenario_spec(key)
    answers = step_answers(spec, publish_scenario_terms(spec, expert).pk)
    response = client.post(reverse("terms_kit_wizard_new"), answers["identity"])
    assert response.status_code == 302
    return response.url, answers


def test_the_channel_is_not_preselected_for_a_new_client(admin_client, expert):  # noqa: F811
    url, _answers = _new_client_page(admin_client, expert)
    page = admin_client.get(url).content.decode()
    for value in ("on_premises", "distance", "off_premises"):
        assert f'value="{value}"' in page
    channel_inputs = [chunk for chunk in page.split("<input")[1:] if 'name="channel"' in chunk]
    assert len(channel_inputs) == 3
    assert not any("checked" in chunk.split(">")[0] for chunk in channel_inputs)


def test_a_consumer_without_a_channel_is_refused_and_nothing_is_stored(admin_client,  # noqa: F811
                                                                        expert):
    url, answers = _new_client_page(admin_client, expert, "S1")  # S1: a consumer client
    data = dict(answers["client"])
    data.pop("channel")
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "Say how the contract is made" in response.content.decode()
    assert "withdraw within 14 days" in response.content.decode()
    assert not Engagement.objects.exists()


def test_the_answer_given_is_stored(admin_client, expert):  # noqa: F811
    url, answers = _new_client_page(admin_client, expert, "S1")
    response = admin_client.post(url, {**answers["client"], "channel": "off_premises"})
    assert response.status_code == 302
    assert Engagement.objects.get().channel == "off_premises"


def test_the_channel_answer_is_shown_again_when_the_step_is_reopened(admin_client,  # noqa: F811
                                                                     expert):
    engagement, _answers = walk(admin_client, expert, "S1", until="service")
    page = admin_client.get(step_url(engagement, "client")).content.decode()
    chosen = [chunk for chunk in page.split("<input")[1:]
              if f'value="{engagement.channel}"' in chunk and 'name="channel"' in chunk]
    assert chosen and "checked" in chosen[0].split(">")[0]


def test_the_indemnity_is_shown_as_fixed_by_law_for_a_business(admin_client, expert):  # noqa: F811
    engagement, _answers = walk(admin_client, expert, "S2", until="payment")
    page = admin_client.get(step_url(engagement, "payment")).content.decode()
    assert "Fixed by law between businesses: 40.00 EUR" in page
    assert "D441-5" in page
    field = [chunk for chunk in page.split("<input")[1:] if 'name="recovery_indemnity"' in chunk]
    assert field and "disabled" in field[0].split(">")[0]


@pytest.mark.parametrize("posted", ["", "0", "15.00"])
def test_the_legal_indemnity_is_stored_whatever_is_posted(admin_client, expert,  # noqa: F811
                                                          posted):
    engagement, answers = walk(admin_client, expert, "S2", until="payment")
    response = post_step(admin_client, engagement, "payment",
                         {**answers["payment"], "recovery_indemnity": posted})
    assert response.status_code == 302, response.content.decode()[:2000]
    engagement.refresh_from_db()
    assert engagement.recovery_indemnity == Decimal("40.00")
    assert "b2b.indemnity" not in {f.rule_id for f in check_engagement(engagement)}


def test_a_consumer_is_never_asked_the_indemnity(admin_client, expert):  # noqa: F811
    engagement, _answers = walk(admin_client, expert, "S1", until="payment")
    page = admin_client.get(step_url(engagement, "payment")).content.decode()
    assert 'name="recovery_indemnity"' not in page


def test_french_wording(admin_client, expert):  # noqa: F811
    engagement, _answers = walk(admin_client, expert, "S2", until="payment")
    with translation.override("fr"):
        page = admin_client.get(step_url(engagement, "payment"),
                                HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fixée par la loi entre professionnels" in page


# -- a step's errors on that step ---------------------------------------------------------


def test_step_one_errors_show_on_the_next_page_with_a_link_back(admin_client, expert):  # noqa: F811
    spec = scenario_spec("S1")
    answers = step_answers(spec, publish_scenario_terms(spec, expert).pk)
    identity = {**answers["identity"],
                "legal_name": answers["identity"]["legal_name"].replace(" EI", "")}
    response = admin_client.post(reverse("terms_kit_wizard_new"), identity)
    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()  # step 2, no draft yet
    assert "The check starts once the client step is saved" not in page
    panel = page.split('data-testid="compliance-panel"')[1]
    assert "tk-finding--error" in panel and "Entrepreneur individuel" in panel
    # The finding links back to step 1 with this identity, at the name field.
    assert reverse("terms_kit_wizard_new") + "?identity_from=" in panel
    assert "legal_name" in panel and "id_legal_name" in panel
    assert not Engagement.objects.exists()


def test_a_clean_identity_reports_nothing_yet(admin_client, expert):  # noqa: F811
    url, _answers = _new_client_page(admin_client, expert, "S1")
    panel = admin_client.get(url).content.decode().split('data-testid="compliance-panel"')[1]
    assert "tk-finding--error" not in panel
