"""The public verification page (/terms/verify/) in the demo site's look, at 390 px and
1366 px: the site's header and footer around it, nothing wider than the screen, the verdict
for a file the site never issued, and no serious or critical axe finding.

Screenshots go to $TERMS_KIT_SCREENSHOTS (docs/images to refresh the docs), else tmp_path.
"""

import pytest
from accessibility import assert_accessible, axe_source
from hostile_pdf import blank_pdf
from pages_helpers import site_root
from wagtail.models import Page

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_verification_page_in_the_site_look(browser, live_server, shots, width, height):
    axe_source()
    site_root().add_child(instance=Page(title="Appel de 20 minutes", slug="appel",
                                        show_in_menus=True))
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/terms/verify/")
    # The demo site's frame (its header, menu and footer), the app's form inside it.
    assert "Claire Martin" in page.inner_text(".site-header")
    assert page.locator(".site-nav a", has_text="Appel de 20 minutes").count() == 1
    assert page.locator(".site-footer").count() == 1
    assert page.inner_text("h1") == "Vérifier un document scellé"
    # The demo look's stylesheet applied despite the page's Content-Security-Policy.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    ) == "rgb(20, 83, 45)"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=shots / f"verify-page-{width}.png", full_page=True)
    assert_accessible(page, f"verification page at {width} px")

    page.set_input_files("#pdf", files=[
        {"name": "autre.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()}])
    page.click("#verify-submit")
    page.wait_for_selector("#verdict")
    assert "Ce n'est pas un document de ce site" in page.inner_text("#verdict")
    assert "tk-verdict-bad" in page.get_attribute("#verdict", "class")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=shots / f"verify-verdict-{width}.png", full_page=True)
    assert_accessible(page, f"verification verdict at {width} px")
    context.close()
