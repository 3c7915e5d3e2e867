"""S2 after signing, in a real Chromium against the live server: the client sees what is due
with the transfer QR code; the expert records the deposit on the ledger page and sees "work
may start"; the client then finds the deposit invoice. Screenshots: $TERMS_KIT_SCREENSHOTS."""

import pytest

from terms_kit.models import Invoice

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="fr-FR")
    yield context
    context.close()


def test_s2_transfer_qr_then_deposit_recorded_and_work_may_start(
        text_pdfs, accepted, live_server, browser_context, shots):
    engagement, link = accepted("S2")
    client_page = browser_context.new_page()
    client_page.goto(f"{live_server.url}/terms/c/{link.token}/")
    payments_block = client_page.locator("#payments")
    assert "4 320,00" in payments_block.inner_text().replace("\u202f", " ")
    assert client_page.locator("img.epc-qr").count() == 1
    assert client_page.locator(".reference").first.inner_text() == engagement.number
    payments_block.screenshot(path=str(shots / "client-s2-payments-due.png"))

    expert_page = browser_context.new_page()
    expert_page.goto(f"{live_server.url}/admin/login/")
    expert_page.fill("#id_username", engagement.owner.username)
    expert_page.fill("#id_password", f"pw-{engagement.owner.username}")
    expert_page.click("button[type=submit]")
    expert_page.goto(f"{live_server.url}/admin/terms-kit/engagements/{engagement.pk}/ledger/")
    assert "ne peut pas encore commencer" in expert_page.inner_text("#may-start") or (
        "may not start" in expert_page.inner_text("#may-start"))
    expert_page.fill("#id_amount", "4320.00")
    expert_page.select_option("#id_method", "transfer")
    expert_page.fill("#id_reference", "VIR ACME 1")
    with expert_page.expect_navigation():
        expert_page.click("#payment-form button[type=submit]")
    text = expert_page.inner_text("#may-start")
    assert "peut commencer" in text or "may start" in text
    expert_page.screenshot(path=str(shots / "admin-ledger-s2.png"), full_page=True)

    [invoice] = Invoice.objects.all()
    client_page.reload()
    assert invoice.number in client_page.inner_text("#invoices")
    assert client_page.locator("img.epc-qr").count() == 0
    client_page.locator("#payments").screenshot(path=str(shots / "client-s2-payments-paid.png"))
