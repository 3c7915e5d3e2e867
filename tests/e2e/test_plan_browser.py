"""A late client accepts an instalment plan in Chromium, at 390 px (a phone) and 1366 px (a
laptop): the plan and its documents, the e-mail code, the consent sentence, the sealed pack,
then what is due next. Fails on any CSP violation. Screenshots: $TERMS_KIT_SCREENSHOTS."""

import hashlib
import io
import os
import re
import sys
from pathlib import Path

import pypdf
import pytest
from django.core import mail

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from plans_helpers import days, make_overdue  # noqa: E402

from terms_kit.documents import sealing  # noqa: E402
from terms_kit.models import InstalmentPlan, PlanAcceptance  # noqa: E402
from terms_kit.services import plans  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def last_code():
    for message in reversed(mail.outbox):
        found = re.search(r"\b(\d{6})\b", message.body)
        if found:
            return found.group(1)
    raise AssertionError("no code e-mail in the outbox")


class _Capture:
    """On-commit callbacks run at once in a transactional test: nothing to capture."""

    def __call__(self, execute=True):
        import contextlib

        return contextlib.nullcontext()


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_client_accepts_a_plan_in_the_browser(
        width, height, browser, text_pdfs, accepted, live_server, tmp_path):
    from terms_kit.acceptance.csp import POLICY

    shots = Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)
    engagement, invoice = make_overdue(accepted, _Capture())
    debt = plans.outstanding(invoice)
    sent = plans.offer_plan(engagement, invoices=[invoice],
                            instalments=plans.even_split(debt, 3, days(7)),
                            user=engagement.owner, base_url=live_server.url)
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True, locale="fr-FR")
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "console.error('CSP violation: ' + e.violatedDirective));")
    page = context.new_page()
    console, policies = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy"))
            if "/terms/" in r.url and r.request.resource_type == "document" else None)
    page.goto(f"{live_server.url}/terms/c/{sent.token}/")
    assert sent.plan.number in page.inner_text("h1")
    assert page.locator("#plan-instalments tr[data-state]").count() == 3
    # Nothing wider than the screen (a phone must not scroll sideways).
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(shots / f"client-plan-offer-{width}.png"), full_page=True)
    document = sent.link.documents.get()
    with page.expect_download() as info:
        page.click("a[data-kind=instalment_plan][data-fmt=pdf]")
    assert hashlib.sha256(Path(info.value.path()).read_bytes()).hexdigest() == (
        document.pdf_sha256)

    page.click("#send-code")
    page.fill("#code", last_code())
    page.click("#verify-code")
    box = page.locator("#consent_plan")
    assert not box.is_checked()
    assert sent.plan.number in page.inner_text("#accept-form")
    box.check()
    page.fill("#full_name", "Marie Durand")
    page.fill("#signer_role", "Gérante")  # S2 is a company: the signatory says in what capacity
    page.click("#sign")
    page.wait_for_selector("#accepted", timeout=120_000)
    assert "#" not in page.inner_text("#next-due")  # a sentence, not a placeholder
    page.screenshot(path=str(shots / f"client-plan-accepted-{width}.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#download-sealed")
    pack = Path(info.value.path()).read_bytes()
    assert sealing.check_seal(pack).ok
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pack)).pages)
    assert "Marie Durand" in text
    assert InstalmentPlan.objects.get(pk=sent.plan.pk).state == "accepted"
    assert PlanAcceptance.objects.filter(plan=sent.plan).count() == 1
    assert not [m for m in console if "CSP" in m or "Content Security Policy" in m]
    assert policies and all(policy == POLICY for policy in policies)
