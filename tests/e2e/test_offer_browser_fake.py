"""The offer path in a real Chromium at 390 px, against the FAKE Stripe server: a visitor
opens the S1 offer (prepaid 20-minute call), books it, lands in the existing acceptance flow
(e-mail code, consents, signature), places the card pre-authorisation on the fake checkout
page and comes back; both sides get the booking confirmation. Once as a private person (with
the early-start request), once as a business (with the signatory's role).

Screenshots go to $TERMS_KIT_SCREENSHOTS (docs/images to refresh the docs), else tmp_path.
"""

import pytest
from acceptance_helpers import last_code
from pages_helpers import b2b_ready, build_offer_site
from stripe_helpers import start_fake, stripe_settings

from terms_kit.models import OfferBooking, SentMessage

pytestmark = [pytest.mark.django_db(transaction=True)]


def book_accept_and_hold(browser, live_server, offer, shots, kind):
    page = browser.new_context(viewport={"width": 390, "height": 844},
                               locale="fr-FR").new_page()
    page.goto(live_server.url + offer.url)
    assert "60,00" in page.inner_text("#offer-price")
    if kind == "consumer":
        page.screenshot(path=shots / "offer-page.png", full_page=True)
    page.click("#book")
    page.wait_for_selector("#booking-form")
    # First an empty form: clear messages, nothing created.
    page.click("#book-submit")
    page.wait_for_selector("#form-errors")
    assert not OfferBooking.objects.exists()
    page.check(f"input[name=kind][value={kind}]")
    if kind == "consumer":
        page.fill("#id_name", "Léa Moreau")
    else:
        page.fill("#id_name", "Atelier Moreau SARL")
        page.fill("#id_contact_name", "Léa Moreau")
    page.fill("#id_email", "lea.moreau@example.net")
    page.fill("#id_address_line1", "3 rue du Port")
    page.fill("#id_postcode", "44000")
    page.fill("#id_city", "Nantes")
    import datetime

    from django.utils import timezone

    page.fill("#id_start_date", (timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    if kind == "consumer":
        page.click("#book-submit")  # a call within 14 days without the early-start request
        page.wait_for_selector("#early-start-error")
        assert "rétractation" in page.inner_text("#early-start-error")
        assert not OfferBooking.objects.exists()
        page.check("#id_early_start")
        page.screenshot(path=shots / "offer-booking-form.png", full_page=True)
    page.click("#book-submit")
    page.wait_for_selector("#send-code")
    assert "/terms/c/" in page.url
    booking = OfferBooking.objects.get()
    if kind == "consumer":
        page.screenshot(path=shots / "offer-step-quote.png", full_page=True)
    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    boxes = page.locator("#accept-form input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.fill("#full_name", "Léa Moreau")
    if page.locator("#signer_role").count():
        page.fill("#signer_role", "Gérante")
    if kind == "consumer":
        page.screenshot(path=shots / "offer-step-sign.png", full_page=True)
    page.click("#sign")
    page.wait_for_selector("#accepted", timeout=120_000)
    engagement = booking.engagement
    [hold] = engagement.instalments.filter(kind="preauthorisation")
    button = page.locator(f"#pay-{hold.pk}")
    if kind == "consumer":
        page.screenshot(path=shots / "offer-step-pay.png", full_page=True)
    button.click()
    page.wait_for_selector("#fake-pay")
    page.click("#fake-pay")  # the fake sends the signed webhooks, then redirects back
    page.wait_for_selector("#payment-done")
    if kind == "consumer":
        page.screenshot(path=shots / "offer-step-done.png", full_page=True)
    hold.refresh_from_db()
    assert hold.secured_at is not None
    return engagement


@pytest.mark.parametrize("kind", ["consumer", "business"])
def test_s1_offer_booked_accepted_and_pre_authorised_on_the_fake_provider(
        browser, live_server, make_engagement, expert, sealed_settings, shots, kind):
    fake = start_fake(webhook_url=live_server.url + "/terms/webhooks/stripe/")
    stripe_settings(sealed_settings, fake, text_pdf=False)
    try:
        offer, _consumer, _business = build_offer_site(
            expert, make_engagement("S1", change=b2b_ready))
        engagement = book_accept_and_hold(browser, live_server, offer, shots, kind)
        assert engagement.owner == expert and engagement.client.kind == kind
        confirmations = SentMessage.objects.filter(engagement=engagement,
                                                   kind__startswith="booking_confirmed")
        assert sorted(m.kind for m in confirmations) == ["booking_confirmed_client",
                                                         "booking_confirmed_expert"]
    finally:
        fake.stop()
