"""S2 in a real Chromium: the client signs, pays the deposit on the FAKE Stripe checkout page
(which sends signed webhooks to the live server, as Stripe would), comes back to the client
page; the expert then sees "work may start". Without a provider, the client sees the bank
transfer details instead of a card button.

Screenshots go to $TERMS_KIT_SCREENSHOTS (docs/images to refresh the docs), else tmp_path.
"""

import pytest
from acceptance_helpers import last_code
from django.core import mail
from stripe_helpers import start_fake, stripe_settings

from terms_kit.models import Invoice, InvoiceKind, OnlineCheckout, Payment
from terms_kit.services.acceptance import send_to_client
from terms_kit.services.payments import may_start

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def sign(page, live_server, engagement):
    from tests.conftest import acknowledge_warnings

    acknowledge_warnings(engagement)  # as the expert does on the review step
    sent = send_to_client(engagement, engagement.owner)
    page.goto(live_server.url + f"/terms/c/{sent.token}/")
    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    boxes = page.locator("#accept-form input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.fill("#full_name", "Marie Durand")
    page.fill("#signer_role", "Gérante")  # a company signs through someone in some capacity
    page.click("#sign")
    page.wait_for_selector("#accepted", timeout=120_000)
    return sent


def test_s2_client_pays_the_deposit_on_the_fake_stripe_checkout_and_work_may_start(
        browser, live_server, make_engagement, sealed_settings, shots):
    fake = start_fake(webhook_url=live_server.url + "/terms/webhooks/stripe/")
    stripe_settings(sealed_settings, fake, text_pdf=False)
    try:
        engagement = make_engagement("S2")
        page = browser.new_context(viewport={"width": 390, "height": 844},
                                   locale="fr-FR").new_page()
        sent = sign(page, live_server, engagement)
        deposit = engagement.instalments.get(kind="deposit")
        button = page.locator(f"#pay-{deposit.pk}")
        assert "Payer l'acompte" in button.inner_text()
        page.screenshot(path=shots / "client-s2-before-paying.png", full_page=True)
        accepted_mail = [m for m in mail.outbox if sent.token in m.body and "#pay" in m.body]
        assert accepted_mail, "the acceptance e-mail links to the pay block"

        button.click()
        page.wait_for_selector("#fake-pay")
        assert page.url.startswith(fake.url + "/pay/cs_test_")
        assert "4320.00 EUR" in page.inner_text("#amount")
        page.click("#fake-pay")  # the fake sends the signed webhooks, then redirects back
        page.wait_for_selector("#payment-done")
        assert page.url.startswith(live_server.url + f"/terms/c/{sent.token}/?payment=done")
        assert page.locator(f"#pay-{deposit.pk}").count() == 0
        page.screenshot(path=shots / "client-s2-after-paying.png", full_page=True)

        assert [status for _type, status in fake.deliveries] == [200, 200, 200]
        payment = Payment.objects.get(engagement=engagement)
        assert str(payment.amount) == "4320.00" and payment.provider == "stripe"
        assert OnlineCheckout.objects.get().state == "paid"
        assert Invoice.objects.filter(engagement=engagement, kind=InvoiceKind.DEPOSIT).exists()
        engagement.refresh_from_db()
        assert may_start(engagement).ok

        # The expert's view: the ledger says work may start.
        admin = browser.new_context(locale="en-GB").new_page()
        admin.goto(live_server.url + "/admin/login/")
        admin.fill("#id_username", engagement.owner.username)
        admin.fill("#id_password", "pw-" + engagement.owner.username)
        admin.click("button[type=submit]")
        admin.goto(live_server.url + f"/admin/terms-kit/engagements/{engagement.pk}/ledger/")
        assert "Work may start" in admin.inner_text("#may-start")
        admin.screenshot(path=shots / "admin-s2-work-may-start.png", full_page=True)
    finally:
        fake.stop()


def test_s2_without_a_provider_the_client_sees_the_transfer_qr_code_and_no_card_button(
        browser, live_server, make_engagement, sealed_settings, shots):
    engagement = make_engagement("S2")
    page = browser.new_context(viewport={"width": 390, "height": 844},
                               locale="fr-FR").new_page()
    sign(page, live_server, engagement)
    assert page.locator("form.pay-online").count() == 0
    assert page.locator("#payments img.epc-qr").first.is_visible()
    page.screenshot(path=shots / "client-s2-transfer.png", full_page=True)
