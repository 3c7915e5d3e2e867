"""Re-consent in a real Chromium: the expert sees the clients to ask again with their state
(accepted, declined, not asked yet), sends one the link from the list, and that client
accepts the new terms on a phone. Set TERMS_KIT_SCREENSHOTS=docs/images to write the
screenshots (cms-reconsent-list.png, client-reconsent.png)."""

import re

import pytest
from accessibility import assert_accessible
from acceptance_helpers import last_code
from django.core import mail
from reconsent_helpers import on_version, versions

from terms_kit.models import ConsentRecord, ReconsentRequest
from terms_kit.services import acceptance, reconsent
from tests.e2e.test_cms_builder_browser import shoot
from tests.e2e.test_wizard_browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True)]


def named(name):
    def change(spec):
        spec["client"]["name"] = name
    return change


def answer(v2, engagement, accept):
    """The client answers through the services, as the acceptance tests do."""
    sent = reconsent.send_reconsent(v2, engagement, engagement.owner)
    if not accept:
        return reconsent.decline_reconsent(sent.link)
    acceptance.send_email_code(sent.link)
    proof = acceptance.verify_email_code(sent.link, last_code())
    return reconsent.accept_reconsent(sent.link, ticked={"terms": True}, full_name="Léa Roux",
                                      signer_role="Gérante", ip_address="127.0.0.1",
                                      user_agent="pytest", session_proof=proof)


def test_expert_sends_from_the_list_and_the_client_accepts(browser, live_server, accepted,
                                                           text_pdfs, settings, shots):
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PUBLIC_BASE_URL": live_server.url}
    said_yes = accepted("S2", named("Atelier Roux SARL"))[0]
    said_no = accepted("S2", named("Boulangerie Morel SAS"))[0]
    waiting = accepted("S2", named("Cabinet Lemoine SELARL"))[0]
    v1, v2 = versions(said_yes.owner)
    for engagement in (said_yes, said_no, waiting):
        on_version(engagement, v1)
    answer(v2, said_yes, accept=True)
    answer(v2, said_no, accept=False)

    context, admin = log_in(browser, live_server, width=1366)
    admin.goto(f"{live_server.url}/admin/terms-kit/terms/{v2.pk}/diff/")
    row = admin.locator(f"#reconsent-list tr[data-engagement='{waiting.pk}']")
    assert row.get_attribute("data-state") == ""
    mail.outbox.clear()
    row.locator("button[type=submit]").click()
    admin.wait_for_selector(f"#reconsent-list tr[data-engagement='{waiting.pk}']"
                            "[data-state='pending']")
    states = {int(r.get_attribute("data-engagement")): r.get_attribute("data-state")
              for r in admin.locator("#reconsent-list tbody tr").all()}
    assert states == {said_yes.pk: "accepted", said_no.pk: "declined", waiting.pk: "pending"}
    assert [m.to for m in mail.outbox] == [[waiting.client.email]]
    admin.locator("#reconsent").scroll_into_view_if_needed()
    shoot(admin, "cms-reconsent-list")
    context.close()

    link = re.search(r"https?://\S+/terms/c/\S+/", mail.outbox[0].body).group(0)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = phone.new_page()
    page.goto(link)
    assert "Texte ajouté en 2027." in page.inner_text("#reconsent")
    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    page.check("#consent_terms")
    page.fill("#full_name", "Paul Lemoine")
    page.fill("#signer_role", "Associé")
    page.click("#sign")
    page.wait_for_selector("#accepted")
    assert_accessible(page, "re-consent page, accepted")
    page.screenshot(path=str(shots / "client-reconsent.png"), full_page=True)
    phone.close()
    assert ReconsentRequest.objects.get(engagement=waiting).state == "accepted"
    assert ConsentRecord.objects.filter(kind="terms_reconsent").count() == 2
    waiting.refresh_from_db()
    assert waiting.terms_version == v2
