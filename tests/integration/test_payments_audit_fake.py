"""Issue 10 items not proven elsewhere: "work may start" on the engagement list, the
engagement page and the client page (HTTP, second expert 404); the acceptance e-mail's card
pay link, with the FAKE Stripe server configured."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from stripe_helpers import accept_engagement

from terms_kit.services import payments

pytestmark = pytest.mark.django_db


def test_work_may_start_on_the_list_the_engagement_and_the_client_page(
        text_pdfs, sent, sealed_settings, make_expert):
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    engagement.refresh_from_db()
    expert = Client()
    expert.force_login(engagement.owner)
    listing = reverse("terms_kit_engagement:index")
    status_page = reverse("terms_kit_engagement:status", args=[engagement.pk])
    client_page = reverse("terms_kit:client_review", args=[sent_link.token])

    def answers():
        return (expert.get(listing).content.decode(), expert.get(status_page).content.decode(),
                Client().get(client_page).content.decode())

    listed, shown, client = answers()
    # The list gives the first reason, the engagement page and the client page all of them.
    assert "is not paid yet" in listed
    assert "Work may not start yet:" in shown and "is not paid yet" in shown
    assert 'id="may-start" data-ok="no"' in client  # the client page is in French
    payments.record_payment(engagement, amount="4320.00",
                            paid_on=engagement.issue_date, method="transfer")
    listed, shown, client = answers()
    assert "is not paid yet" not in listed and "Yes" in listed
    assert "✓ Work may start." in shown
    assert 'id="may-start" data-ok="yes"' in client
    other = Client()
    other.force_login(make_expert("other"))
    assert other.get(status_page).status_code == 404
    assert engagement.title not in other.get(listing).content.decode()


def test_the_acceptance_email_carries_the_deposit_pay_link(text_pdfs, sent, fake_stripe):
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    [accepted] = [m for m in mail.outbox if m.to == [engagement.client.email]
                  and "#payments" in m.body]
    # In the client's language (French): the card link to the page's pay block.
    assert "acompte" in accepted.body.lower()
    assert f"/terms/c/{sent_link.token}/#payments" in accepted.body or (
        f"{sent_link.token}" in accepted.body)
