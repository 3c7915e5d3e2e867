"""Online payment tests against the FAKE Stripe server (tests/fakes/stripe_server.py) with the
real stripe SDK: settings that point the Stripe backend at it, an engagement accepted through
the real acceptance service, and webhook delivery through Django's test client."""

import sys
from pathlib import Path

from django.core import mail
from django.test import TestCase

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fakes.stripe_server import FakeStripe  # noqa: E402

WEBHOOK_SECRET = "whsec_test_fake_secret"
SECRET_KEY = "sk_test_fake_key"
WEBHOOK_URL = "/terms/webhooks/stripe/"
STRIPE = "terms_kit.payments.providers.stripe.StripeProvider"


def stripe_settings(settings, fake, text_pdf=True):
    """The Stripe backend pointed at ``fake``; documents as text PDFs (tests/text_pdf.py)
    unless ``text_pdf`` is False: these tests are about money, not layout."""
    from tests.text_pdf import PATH

    if text_pdf:
        settings.TERMS_KIT = {**settings.TERMS_KIT, "PDF_CONVERTER": PATH,
                              "PDF_CONVERTER_OPTIONS": {}}
    settings.TERMS_KIT = {
        **settings.TERMS_KIT,
        "PAYMENT_PROVIDER": STRIPE,
        "PAYMENT_PROVIDER_OPTIONS": {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET,
                                     "api_base": fake.url, "max_network_retries": 0},
    }


def start_fake(webhook_url=None):
    return FakeStripe(WEBHOOK_SECRET, secret_key=SECRET_KEY, webhook_url=webhook_url).start()


def accept_engagement(sent_link):
    """The client confirms the e-mail and signs, through the acceptance service."""
    from terms_kit.services import acceptance as service

    link = sent_link.link
    with TestCase.captureOnCommitCallbacks(execute=True):
        service.send_email_code(link)
    code = mail.outbox[-1].body
    import re

    proof = service.verify_email_code(link, re.search(r"\b(\d{6})\b", code).group(1))
    keys = [c.key for c in service.consents_for(link)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        service.accept(link, ticked={k: True for k in keys}, full_name="Julien Petit",
                       signer_role="Gérant",
                       ip_address="127.0.0.1", user_agent="pytest", token=sent_link.token,
                       session_proof=proof)


def post_event(client, body, header):
    return client.post(WEBHOOK_URL, data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)


def deliver(client, fake):
    """POST every event the fake has sent since the last call; returns the responses."""
    responses = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        for body, header in fake.take_events():
            responses.append(post_event(client, body, header))
    return responses
