"""The expert's admin in a real Chromium at 360 px and 1366 px: the dashboard, the status page
(events to record, "signed on paper" with a real file upload) and the documents list.
Screenshots: $TERMS_KIT_SCREENSHOTS (docs/images)."""

import io
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from terms_kit.models import WizardState  # noqa: E402
from terms_kit.status import Status  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
]

WIDTHS = [360, 1366]


def open_as(browser, width, live_server, user):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", f"pw-{user.username}")
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def no_sideways_scroll(page, selector):
    """The element fits the viewport: nothing to scroll sideways to read it."""
    box = page.locator(selector).bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (box, width)


def snap(page, path):
    """The whole page (the admin scrolls inside its layout, so grow the viewport to it)."""
    size = page.viewport_size
    height = page.evaluate("Math.max(document.documentElement.scrollHeight,"
                           " document.querySelector('main')?.scrollHeight || 0)")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 3200)})
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def shots(tmp_path):
    return Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)


def scan_pdf(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "devis-signe.pdf"
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_status_page_and_documents(width, text_pdfs, accepted, sent, make_engagement,
                                             live_server, browser, tmp_path):
    waiting, _link = accepted("S2")
    expert = waiting.owner
    unopened, _l = sent("S1")
    draft = make_engagement("S3")
    WizardState.objects.create(engagement=draft, completed_steps=[])
    page = open_as(browser, width, live_server, expert)

    # The dashboard: each list, each row a link to its engagement.
    page.goto(f"{live_server.url}/admin/")
    panel = page.locator("#terms-kit-dashboard-section")
    assert panel.is_visible()
    no_sideways_scroll(page, "#terms-kit-dashboard-section")
    assert waiting.title in panel.locator("#tk-waiting").inner_text()
    assert waiting.title in panel.locator("#tk-today").inner_text()
    assert unopened.title in panel.locator("#tk-not-opened").inner_text()
    snap(page, shots(tmp_path) / f"admin-dashboard-{width}.png")
    with page.expect_navigation():
        panel.locator("#tk-not-opened a.tk-dashboard-link").first.click()
    assert page.url.endswith(f"/engagements/{unopened.pk}/status/")

    # The status page: nothing chosen; confirming without a choice says what to do.
    radios = page.locator("input[name=to_status]")
    assert radios.count() == 3
    assert all(not radios.nth(i).is_checked() for i in range(3))
    assert page.locator("input[name=to_status][value=accepted]").count() == 0
    no_sideways_scroll(page, "#change-status")
    no_sideways_scroll(page, "#signed-on-paper")
    # Signed on paper, with a real upload.
    page.set_input_files("#id_scan", str(scan_pdf(tmp_path)))
    page.fill("#id_signer_name", "Julien Petit")
    page.fill("#id_signed_on", unopened.issue_date.isoformat())
    with page.expect_navigation():
        page.click("#signed-on-paper button[type=submit]")
    unopened.refresh_from_db()
    assert unopened.status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.DEPOSIT_DUE)
    assert "signé sur papier" in page.inner_text("main")
    snap(page, shots(tmp_path) / f"admin-status-paper-{width}.png")

    # The engagements list: dates the French way for a French reader.
    page.goto(f"{live_server.url}/admin/terms-kit/engagements/")
    assert waiting.issue_date.strftime("%d/%m/%Y") in page.inner_text("main")
    if width == 1366:
        snap(page, shots(tmp_path) / "admin-engagements.png")

    # The documents list: what was signed, hashes behind "Détails".
    page.goto(f"{live_server.url}/admin/terms-kit/engagements/{waiting.pk}/documents/")
    table = page.locator("#issued-documents")
    no_sideways_scroll(page, "#issued-documents")
    assert "Signé par le client" in table.inner_text()
    assert "deposit_invoice" not in table.inner_text()
    certificate = waiting.documents.get(kind="certificate")
    assert not page.get_by_text(certificate.pdf_sha256).is_visible()
    page.locator(f"tr[data-document='{certificate.pk}'] summary").click()
    assert page.get_by_text(certificate.pdf_sha256).is_visible()
    no_sideways_scroll(page, "#issued-documents")
    snap(page, shots(tmp_path) / f"admin-documents-{width}.png")
