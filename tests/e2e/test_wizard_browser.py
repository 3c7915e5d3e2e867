"""The wizard in a real browser: Debian's Chromium driven by Playwright, headless.

The expert walks scenario S2, leaves at the fourth step (the browser context is closed:
cookies and session gone), logs in again, continues from the drafts list and finishes.
Set TERMS_KIT_SCREENSHOTS=docs/images to also write a screenshot of each step.
At the review it generates the documents (LibreOffice, through the django-tasks task) and
downloads the quote's PDF.
"""

import os
from pathlib import Path

import pytest

from terms_kit.models import Engagement, TermsVersion
from terms_kit.services.terms import publish_terms
from tests.conftest import scenario_spec
from tests.wizard_answers import step_answers

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]
SCREENSHOTS = os.environ.get("TERMS_KIT_SCREENSHOTS")


def log_in(browser, live_server, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "expert")
    page.fill("#id_password", "pw-expert")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


def shoot(page, name):
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    # Wagtail scrolls its main area, not the page: grow the window to show a whole step.
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('main').scrollHeight + 100")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.screenshot(path=f"{SCREENSHOTS}/wizard-{name}.png")
    page.set_viewport_size(size)


def fill(page, data):
    """Type the step's answers into the form, by field name, as a person would."""
    form = page.locator("[data-testid=step-form]")
    for name, value in data.items():
        if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            continue
        field = form.locator(f"[name='{name}']")
        if name.startswith("lines-") and field.count() == 0:
            form.locator("[data-tk-add-line]").click()  # the price table grows on demand
        if not field.first.is_visible() and (value in ("", "off")
                                             or field.first.input_value() == str(value)):
            continue  # a question hidden because it does not apply is left alone
        if field.first.is_disabled():
            # Fixed by law (the 40 € indemnity): shown, not typed; the page must show the value.
            assert field.first.input_value() == str(value), (name, value)
            continue
        kind = field.first.get_attribute("type")
        tag = field.first.evaluate("el => el.tagName")
        if kind == "radio":
            form.locator(f"[name='{name}'][value='{value}']").check()
        elif kind == "checkbox":
            field.check() if value == "on" else field.uncheck()
        elif tag == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def assert_accessible_and_narrow(page):
    """Every visible input has a label; nothing is wider than the screen."""
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=step-form] input:not([type=hidden]), [data-testid=step-form] select,'
        + '[data-testid=step-form] textarea')]
        .filter(el => el.offsetParent !== null && el.labels.length === 0)
        .map(el => el.name)""")
    assert unlabelled == []
    # Wagtail clips its main area, so check each element of the step rather than the page.
    too_wide = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=step-form] *, [data-testid=compliance-panel] *')]
        .filter(el => el.offsetParent !== null
                && el.getBoundingClientRect().right > window.innerWidth + 1)
        .map(el => el.name || el.className || el.tagName)""")
    assert too_wide == []


def wait_for_live_check(page):
    """The panel is re-checked 0.7 s after the last keystroke; let that round trip finish."""
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")


def save_step(page, name, data):
    assert_accessible_and_narrow(page)
    fill(page, data)
    wait_for_live_check(page)
    shoot(page, name)
    with page.expect_navigation():
        page.click("[data-testid=save-step]")
    assert page.locator(".messages .success").count() == 1, page.content()[:2000]


def test_expert_completes_s2_leaves_at_step_four_and_finishes(browser, live_server,
                                                               make_expert):
    expert = make_expert("expert")
    spec = scenario_spec("S2")
    terms = TermsVersion.objects.create(
        owner=expert, **{k: spec["terms"][k] for k in ("title", "language", "body")})
    answers = step_answers(spec, publish_terms(terms).pk)

    # A 360 px wide phone screen: the whole wizard must work there.
    context, page = log_in(browser, live_server, width=360)
    page.goto(f"{live_server.url}/admin/terms-kit/wizard/")
    page.click("text=Start a new engagement")
    save_step(page, "1-identity", answers["identity"])
    # The business-only client questions show once "Business" is chosen.
    page.locator("[name=kind][value=consumer]").check()
    assert page.locator("[data-tk-field=headcount]").is_hidden()
    save_step(page, "2-client", answers["client"])
    save_step(page, "3-service", answers["service"])
    assert "/price/" in page.url
    shoot(page, "4-price-empty")
    # Typed but not saved, then the tab is reloaded: the browser offers the entries back.
    page.fill("[name=lines-0-description]", "Typed, not saved")
    page.reload()
    assert page.input_value("[name=lines-0-description]") == ""
    page.click("text=Restore my entries")
    assert page.input_value("[name=lines-0-description]") == "Typed, not saved"
    context.close()  # the expert leaves at the fourth step: session and cookies are gone

    engagement = Engagement.objects.get()
    assert engagement.title == spec["engagement"]["title"]

    context, page = log_in(browser, live_server)
    page.goto(f"{live_server.url}/admin/terms-kit/wizard/")
    page.click(f"text=Continue {engagement.title}")
    assert page.url.endswith(f"/wizard/{engagement.pk}/price/")
    save_step(page, "4-price", answers["price"])
    page.select_option("[name=payment_model]", "deposit")
    assert page.locator("[data-tk-field=milestones]").is_hidden()
    panel = page.locator("[data-testid=compliance-panel]")
    assert "the deposit is 0 %" in panel.inner_text()  # the stored draft's default model
    fill(page, answers["payment"])
    wait_for_live_check(page)
    assert "the deposit is 0 %" not in panel.inner_text()  # checked live, not saved yet
    save_step(page, "5-payment", answers["payment"])
    save_step(page, "6-terms", answers["terms"])

    assert page.url.endswith(f"/wizard/{engagement.pk}/review/")
    preview = page.locator("[data-testid=quote-preview]")
    assert "Acme Industrie SAS" in preview.inner_text()
    # The quote as the client (French) will see it, whatever the admin's language.
    assert "14\u202f400,00\u00a0€" in page.locator("[data-testid=total-incl-vat]").inner_text()
    assert "Conditions générales de vente" in page.locator("[data-testid=cgv-preview]").inner_text()
    # Generate the documents (the task runs right after the commit in tests), then download
    # the quote's PDF as the client will receive it.
    with page.expect_navigation(timeout=120_000):
        page.click("button:has-text('Generate documents')")
    assert "Done" in page.locator("[data-testid=generation-status]").inner_text()
    documents = page.locator("[data-testid=documents]")
    assert "Quote" in documents.inner_text()
    with page.expect_download() as download_info:
        documents.locator("li", has_text="Quote").locator("a", has_text="PDF").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    # The checker warns that H2 2026's legal rate is not published: acknowledge, then send.
    assert "1 warning to acknowledge" in page.locator("[data-testid=send-blocked]").inner_text()
    shoot(page, "7-review")
    page.check("[data-testid=ack-form] input[name=warning]")
    with page.expect_navigation():
        page.click("text=I have read these warnings and accept them")
    assert "Acknowledgement recorded" in page.locator(".messages").inner_text()
    # Keyboard only: focus reaches the send button and Enter sends.
    send = page.locator("button:has-text('Send to client')")
    send.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Sent" in page.locator(".messages").inner_text()
    engagement.refresh_from_db()
    assert engagement.status == "sent" and engagement.number
    context.close()


@pytest.mark.parametrize(("key", "step", "expected"), [
    ("S5", "profession", "convention d'honoraires"),
    ("S6", "profession", "10 days"),
    ("S1", "terms", "withdrawal period"),
])
def test_conditional_steps_render_on_a_phone(browser, live_server, make_expert, key, step,
                                             expected):
    """The steps only some scenarios reach, at 360 px: labelled, not wider than the screen."""
    from terms_kit.models import WizardState
    from terms_kit.spec import import_spec

    expert = make_expert("expert")
    engagement = import_spec(scenario_spec(key), expert)
    WizardState.objects.create(engagement=engagement, completed_steps=[
        "identity", "client", "service", "price", "payment"])
    context, page = log_in(browser, live_server, width=360)
    page.goto(f"{live_server.url}/admin/terms-kit/wizard/{engagement.pk}/{step}/")
    assert expected in page.locator("[data-testid=step-form]").inner_text()
    assert_accessible_and_narrow(page)
    shoot(page, f"{key}-{step}")
    context.close()
