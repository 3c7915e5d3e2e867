"""The price step's table in a real browser (Chromium), on a phone (360 px) and a laptop
(1366 px): lines added and removed in place, the totals follow what is typed (computed by
the server with the documents' money code), and what is saved is what was shown.
Set TERMS_KIT_SCREENSHOTS=docs/images to refresh the price step's screenshots.
"""

import pytest
from playwright.sync_api import expect

from terms_kit.models import WizardState
from terms_kit.spec import export_engagement, import_spec
from tests.conftest import scenario_spec
from tests.e2e.test_wizard_browser import assert_accessible_and_narrow, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def screenshot(page, path):
    # Wagtail scrolls its main area, not the page: grow the window to show the whole step.
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('main').scrollHeight + 100")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def totals(page):
    return page.locator("[data-testid=price-totals]")


@pytest.mark.parametrize("width", [360, 1366])
def test_lines_are_added_removed_and_totalled_as_the_expert_types(
        browser, live_server, make_expert, shots, width):
    expert = make_expert("expert")
    engagement = import_spec(scenario_spec("S2"), expert)  # 3 lines, 12 000 € excl. VAT
    WizardState.objects.create(engagement=engagement,
                               completed_steps=["identity", "client", "service"])
    context, page = log_in(browser, live_server, width=width)
    page.goto(f"{live_server.url}/admin/terms-kit/wizard/{engagement.pk}/price/")
    expect(totals(page)).to_contain_text("€14,400.00")
    expect(page.locator("output[data-tk-net='lines-0']")).to_have_text("€4,000.00")
    expect(page.locator("[data-tk-recompute]")).to_be_hidden()  # live totals replace it
    screenshot(page, shots / f"wizard-4-price-{width}.png")
    assert_accessible_and_narrow(page)

    # Typing a price updates the line's net and the totals, nothing saved yet.
    page.fill("[name=lines-0-unit_price]", "5000")
    expect(page.locator("output[data-tk-net='lines-0']")).to_have_text("€5,000.00")
    expect(totals(page)).to_contain_text("€13,000.00")
    expect(totals(page)).to_contain_text("€15,600.00")
    assert engagement.lines.first().unit_price == 4000

    # A new line, in place: focused on its description, with the usual defaults.
    page.click("[data-tk-add-line]")
    expect(page.locator("[name=lines-3-description]")).to_be_focused()
    expect(page.locator("[name=lines-3-quantity]")).to_have_value("1")
    page.keyboard.type("Suivi")
    page.fill("[name=lines-3-unit_price]", "1000")
    expect(totals(page)).to_contain_text("€16,800.00")

    # Removing stage 2 (6 000 €) takes it out of the totals at once.
    page.locator("[name=lines-1-DELETE]").check()
    expect(page.locator("tr[data-tk-line='lines-1']")).to_have_class("tk-line is-removed")
    expect(totals(page)).to_contain_text("€8,000.00")
    expect(totals(page)).to_contain_text("€9,600.00")
    expect(page.locator("output[data-tk-net='lines-1']")).to_have_text("")
    assert_accessible_and_narrow(page)
    screenshot(page, shots / f"wizard-4-price-edited-{width}.png")

    # Enter in a field saves the step (the form's default button), it does not add a line.
    with page.expect_navigation():
        page.locator("[name=lines-3-unit_price]").press("Enter")
    spec = export_engagement(engagement)
    assert [line["description"] for line in spec["engagement"]["lines"]] == [
        "Étape 1 : diagnostic", "Étape 3 : plan d'action", "Suivi"]
    assert engagement.totals.total_incl_vat == 9600
    context.close()
