"""The terms builder and the diff in a real Chromium at 1366 px (Playwright, headless).

The expert installs the starter clauses, ticks clauses in the builder, sees the missing topic
named, adds it, publishes, then builds a second version with a changed material clause and
opens the diff. Set TERMS_KIT_SCREENSHOTS=docs/images to write the two screenshots.
"""

from django.core.management import call_command

from terms_kit.models import BusinessIdentity, Clause, TermsVersion
from tests.e2e.test_wizard_browser import SCREENSHOTS, log_in, pytestmark  # noqa: F401


def shoot(page, name):
    if not SCREENSHOTS:
        return
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('main').scrollHeight + 100")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 900), 2600)})
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png")
    page.set_viewport_size(size)


def test_build_publish_and_compare_in_a_browser(browser, live_server, expert):  # noqa: F811
    BusinessIdentity.objects.create(owner=expert, legal_name="Claire Martin Conseil EI",
                                    email="claire@example.fr")
    call_command("termskit", "clauses", "install", "--owner", "expert")
    clauses = {c.starter_key: c for c in Clause.objects.filter(owner=expert)}
    context, page = log_in(browser, live_server, width=1366)
    page.goto(f"{live_server.url}/admin/terms-kit/terms/build/")
    page.fill("#id_title", "CGV clients professionnels")
    page.select_option("#id_audience", "business")
    page.fill("#id_deposit_percent", "30")
    for position, key in enumerate(["payment_terms", "deposit", "liability", "applicable_law"], 1):
        page.check(f"#id_use_{clauses[key].pk}")
        page.fill(f"#id_order_{clauses[key].pk}", str(position))
    page.click("button:has-text('Assemble a draft')")
    page.wait_for_selector(".tk-findings")
    assert "Late penalties and the 40 € recovery indemnity" in page.inner_text(".tk-findings")
    page.check(f"#id_use_{clauses['penalties'].pk}")
    page.fill(f"#id_order_{clauses['penalties'].pk}", "2")
    page.click("button:has-text('Assemble again')")
    page.wait_for_selector("text=Every required topic is covered.")
    shoot(page, "cms-terms-builder")
    page.click("button:has-text('Publish this version')")
    page.wait_for_selector("text=Published as version 1")
    first = TermsVersion.objects.get(version=1)
    assert first.content_hash == first.compute_hash()

    penalties = Clause.objects.get(pk=clauses["penalties"].pk)
    penalties.text_fr = penalties.text_fr.replace("sans rappel", "sans qu'un rappel soit "
                                                                 "nécessaire")
    penalties.save_revision(user=expert).publish(user=expert)
    page.goto(f"{live_server.url}/admin/terms-kit/terms/build/")
    page.fill("#id_title", "CGV clients professionnels")
    page.select_option("#id_audience", "business")
    page.select_option("#id_based_on", str(first.pk))
    for position, key in enumerate(["payment_terms", "penalties", "liability", "force_majeure",
                                    "applicable_law"], 1):
        page.check(f"#id_use_{clauses[key].pk}")
        page.fill(f"#id_order_{clauses[key].pk}", str(position))
    page.click("button:has-text('Assemble a draft')")
    page.click("button:has-text('Publish this version')")
    page.wait_for_selector("text=Published as version 2")
    second = TermsVersion.objects.get(version=2)
    page.goto(f"{live_server.url}/admin/terms-kit/terms/{second.pk}/diff/")
    assert page.locator("tr.tk-diff-changed").count() == 1
    assert page.locator("tr.tk-diff-added").count() == 1
    assert page.locator("tr.tk-diff-removed").count() == 1
    shoot(page, "cms-terms-diff")
    context.close()
