"""Dunning in a real Chromium against the live server: the expert's dashboard panel and an
invoice's dunning page after the first reminder, the client page listing it, the reminder
e-mail as received. Screenshots: $TERMS_KIT_SCREENSHOTS (docs/images)."""

import datetime
import html
import os
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from terms_kit.dunning.run import run  # noqa: E402
from terms_kit.services import payments  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_context(browser):
    return browser.new_context(viewport={"width": 1100, "height": 900}, locale="fr-FR")


def test_s2_reminder_seen_by_the_expert_and_the_client(
        text_pdfs, accepted, live_server, browser_context, tmp_path):
    shots = Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)
    today = timezone.localdate()
    engagement, link = accepted("S2")
    # The deposit paid 45 days ago, the first milestone invoiced 40 days ago: due 10 days ago.
    payments.record_payment(engagement, amount=D("4320.00"),
                            paid_on=today - datetime.timedelta(days=45), method="transfer")
    invoice = payments.mark_milestone_done(engagement, engagement.milestones.first(),
                                           on=today - datetime.timedelta(days=40))
    assert invoice.due_date == today - datetime.timedelta(days=10)
    mail.outbox.clear()
    run(on=today - datetime.timedelta(days=3))  # J+7: the first reminder
    [reminder] = mail.outbox

    page = browser_context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", engagement.owner.username)
    page.fill("#id_password", f"pw-{engagement.owner.username}")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/")
    panel = page.locator("#terms-kit-dunning-panel")
    text = panel.inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    assert "480" in text and invoice.number in text  # receivable, 0-15 days, next: J+15
    panel.screenshot(path=str(shots / "admin-dunning-panel.png"))
    page.click(f"#terms-kit-dunning-panel a:has-text('{invoice.number}')")
    history = page.inner_text("#history")
    assert reminder.extra_headers["Message-ID"].strip("<>") in history
    page.screenshot(path=str(shots / "admin-invoice-dunning.png"), full_page=True)

    client_page = browser_context.new_page()
    client_page.goto(f"{live_server.url}/terms/c/{link.token}/")
    assert invoice.number in client_page.inner_text("#reminders")
    # what is left to pay; the amount due with interest is tested on fixed dates
    # (tests/integration/test_dunning_close.py)
    assert "480" in client_page.inner_text("#overdue-invoices").replace("\u202f", " ")

    mail_page = browser_context.new_page()
    attachments = ", ".join(name for name, _content, _type in reminder.attachments)
    mail_page.set_content(
        "<body style='font-family:sans-serif;max-width:760px;margin:24px'>"
        f"<p><b>À :</b> {html.escape(', '.join(reminder.to))}<br><b>Objet :</b> "
        f"{html.escape(reminder.subject)}<br><b>Pièce jointe :</b> {html.escape(attachments)}"
        f"</p><hr><pre style='white-space:pre-wrap;font-family:inherit'>"
        f"{html.escape(reminder.body)}</pre></body>")
    mail_page.screenshot(path=str(shots / "reminder-email-s2.png"), full_page=True)
