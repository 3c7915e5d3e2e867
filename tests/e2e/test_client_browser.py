"""S1 and S2 played by the client in a real Chromium (Playwright) against the live server:
review, download before signing, e-mail code, consents, signature, sealed pack, withdrawal.

Screenshots go to $TERMS_KIT_SCREENSHOTS (docs/images to refresh the docs), else tmp_path.
"""

import hashlib
import io
from pathlib import Path

import pypdf
import pytest
from acceptance_helpers import last_code
from django.core import mail

from terms_kit.documents import sealing
from terms_kit.models import ConsentRecord
from terms_kit.services.acceptance import send_to_client
from tests.conftest import acknowledge_warnings

MOBILE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(browser):
    """The client's browser. Every page must work under the client pages' CSP: a violation
    (Chromium logs it, and the page reports it through securitypolicyviolation) fails the
    test, and so does a client page answered without the policy."""
    from terms_kit.acceptance.csp import POLICY

    context = browser.new_context(viewport=MOBILE, device_scale_factor=1,
                                  accept_downloads=True, locale="fr-FR")
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "console.error('CSP violation: ' + e.violatedDirective + ' ' "
                            "+ e.blockedURI));")
    tab = context.new_page()
    console, pages, statics = [], [], []
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))

    def on_response(response):
        if "/terms/" in response.url and response.request.resource_type == "document":
            pages.append((response.url, response.headers.get("content-security-policy")))
        if "/static/terms_kit/client." in response.url:
            statics.append((response.url, response.status))

    tab.on("response", on_response)
    yield tab
    context.close()
    violations = [m for m in console if "Content Security Policy" in m or "CSP" in m]
    assert not violations, violations
    assert pages and all(policy == POLICY for _url, policy in pages), pages
    assert {url.rsplit(".", 1)[-1] for url, status in statics if status == 200} == {"css", "js"}


def download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def pdf_text(data):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def play(page, live_server, engagement, name, shots, prefix):
    """The client's whole path; returns the sealed pack's bytes."""
    acknowledge_warnings(engagement)
    sent = send_to_client(engagement, engagement.owner)
    page.goto(live_server.url + f"/terms/c/{sent.token}/")
    assert engagement.title in page.inner_text("h1")
    page.screenshot(path=shots / f"client-{prefix}-review.png", full_page=True)
    # Before signing: every document shown downloads, byte for byte what is on record.
    for document in sent.link.documents.all():
        pdf = download(page, f"a[data-kind={document.kind}][data-fmt=pdf]")
        assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256
        docx = download(page, f"a[data-kind={document.kind}][data-fmt=docx]")
        assert hashlib.sha256(docx).hexdigest() == document.docx_sha256

    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    boxes = page.locator("#accept-form input[type=checkbox]")
    assert boxes.count() >= 1
    for index in range(boxes.count()):
        assert not boxes.nth(index).is_checked()  # nothing ticked for the client
    assert "Bon pour accord" in page.inner_text("#accept-form")
    # The browser itself refuses a blank form (required fields); nothing is recorded.
    page.click("#sign")
    assert not ConsentRecord.objects.exists()
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.fill("#full_name", name)
    if page.locator("#signer_role").count():  # a company client signs in some capacity
        page.fill("#signer_role", "Directrice des achats")
    page.screenshot(path=shots / f"client-{prefix}-consents.png", full_page=True)
    page.click("#sign")
    # Signing converts the certificate and seals the pack: the first conversion of a test
    # process also starts LibreOffice, which on a loaded 2-core machine takes a while.
    page.wait_for_selector("#accepted", timeout=120_000)
    page.screenshot(path=shots / f"client-{prefix}-accepted.png", full_page=True)
    pack = download(page, "#download-sealed")
    assert sealing.check_seal(pack).ok
    engagement.refresh_from_db()
    # Accepted, and the deposit or pre-authorisation falls due at once (docs/payments.md).
    assert engagement.status == "deposit_due"
    assert engagement.status_changes.filter(to_status="accepted").count() == 1
    text = pdf_text(pack)
    assert name in text and engagement.number in text
    return sent, pack


def test_s1_consumer_prepaid_call_accepts_then_withdraws(
        page, live_server, make_engagement, sealed_settings, shots):
    engagement = make_engagement("S1")
    mail.outbox.clear()
    sent, pack = play(page, live_server, engagement, "Julien Petit", shots, "s1")
    text = pdf_text(pack)
    assert "TVA non applicable" in text and "40,00" not in text
    record = ConsentRecord.objects.get()
    assert "rétractation" in record.payload  # the French wording, as shown
    page.click("#withdraw-link")
    page.screenshot(path=shots / "client-s1-withdraw.png", full_page=True)
    page.click("#confirm-withdrawal")
    page.wait_for_selector("#withdrawn")  # the page is in the client's language (French)
    engagement.refresh_from_db()
    assert engagement.status == "withdrawn"
    receipt = [m for m in mail.outbox if "withdrawal" in m.body.lower() or m.attachments][-1]
    assert sealing.check_seal(receipt.attachments[0][1]).ok

    page.goto(live_server.url + "/terms/verify/")
    page.set_input_files("input[type=file]", files=[
        {"name": "pack.pdf", "mimeType": "application/pdf", "buffer": pack}])
    page.click("button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert engagement.number in verdict
    page.screenshot(path=shots / "client-verify.png", full_page=True)


def test_s2_business_milestones_accepts_with_deposit(
        page, live_server, make_engagement, sealed_settings, shots):
    engagement = make_engagement("S2")
    _sent, pack = play(page, live_server, engagement, "Marie Durand", shots, "s2")
    assert page.locator("#withdraw-link").count() == 0  # B2B: no withdrawal function
    text = pdf_text(pack)
    assert "acompte" in text.lower()


@pytest.mark.parametrize("width", [360, 1366])
def test_client_page_shows_the_expert_folds_the_proofs_and_asks_the_signatory_role(
        page, live_server, make_engagement, sealed_settings, shots, width):
    """Issue 13 at a phone's and a desktop's width: the expert's identity, fingerprints only
    in the closed "details / proof" disclosures, the deposit's amount, the role field of a
    company signatory, line breaks of the deliverables; nothing wider than the screen."""
    import re

    page.set_viewport_size({"width": width, "height": 900})
    engagement = make_engagement("S2", change=lambda s: s["engagement"].update(
        deliverables="Rapport de diagnostic\nNote de recommandations\nPlan d'action validé"))
    acknowledge_warnings(engagement)
    sent = send_to_client(engagement, engagement.owner)
    page.goto(live_server.url + f"/terms/c/{sent.token}/")
    identity = engagement.identity
    expert = page.inner_text("#expert")
    for value in (identity.legal_name, identity.email, identity.phone, identity.siren,
                  identity.siret, identity.vat_number, identity.city):
        assert value in expert, value
    assert page.inner_text("#deliverables").splitlines()[-3:] == [
        "Rapport de diagnostic", "Note de recommandations", "Plan d'action validé"]
    hex64 = re.compile(r"\b[0-9a-f]{64}\b")
    assert not hex64.search(page.inner_text("main"))  # closed disclosures hide them
    proof = page.locator("#documents-proof")
    proof.locator("summary").click()
    assert engagement.terms_version.content_hash in proof.inner_text()
    page.screenshot(path=shots / f"client-s2-review-{width}.png", full_page=True)

    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    deposit = page.inner_text("label:has(#consent_deposit)")
    assert "4 320,00 € TTC (30 %), payable à l'acceptation" in deposit.replace(
        "\u202f", " ").replace("\u00a0", " ")
    terms_label = page.inner_text("label:has(#consent_terms)")
    assert not hex64.search(terms_label)
    page.locator("#proof_terms summary").click()
    assert engagement.terms_version.content_hash in page.inner_text("#proof_terms")
    assert page.locator("#signer_role").is_visible()
    assert "Votre qualité chez Acme Industrie SAS" in page.inner_text("label[for=signer_role]")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px wider than the {width}px screen"
    page.screenshot(path=shots / f"client-s2-consents-{width}.png", full_page=True)
