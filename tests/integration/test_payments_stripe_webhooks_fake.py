"""The Stripe webhook endpoint with the real stripe SDK's signature checks, events made by the
FAKE Stripe server: what is refused (400), ignored (200, nothing stored), or handled once."""

import json
import time

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from stripe_helpers import (
    SECRET_KEY,
    STRIPE,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    post_event,
    start_fake,
    stripe_settings,
)

from terms_kit.models import OnlineCheckout, Payment, ProviderEvent
from terms_kit.payments.providers import get_provider
from terms_kit.payments.providers.stripe import normalise, to_minor

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    fake = start_fake()
    stripe_settings(settings, fake)
    yield fake
    fake.stop()


def signed(fake, etype, obj, timestamp=None):
    body = json.dumps({"id": f"evt_test_{etype}_{time.time_ns()}", "object": "event",
                       "type": etype, "created": int(time.time()), "data": {"object": obj}})
    return body, fake.sign(body, timestamp=timestamp)


INTENT = {"id": "pi_unknown", "object": "payment_intent", "amount": 6000,
          "amount_received": 6000, "currency": "eur", "status": "succeeded", "metadata": {}}


@pytest.mark.parametrize("header", [
    None, "", "t=1,v1=deadbeef", "garbage",
    "wrong secret",
    "too old",
])
def test_fake_stripe_webhook_without_a_valid_signature_is_400_and_stores_nothing(
        client, fake, header):
    body, good = signed(fake, "payment_intent.succeeded", INTENT)
    if header == "wrong secret":
        import stripe

        header = stripe.WebhookSignature.generate_signature_header(body, "whsec_other")
    elif header == "too old":
        header = fake.sign(body, timestamp=int(time.time()) - 3600)
    kwargs = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    response = client.post(WEBHOOK_URL, data=body, content_type="application/json", **kwargs)
    assert response.status_code == 400
    assert not ProviderEvent.objects.exists()
    # The same body with its good signature is accepted: the refusal was the signature's.
    assert post_event(client, body, good).status_code == 200


def test_fake_stripe_webhook_body_changed_after_signing_is_400(client, fake):
    body, header = signed(fake, "payment_intent.succeeded", INTENT)
    tampered = body.replace('"amount": 6000', '"amount": 1')
    assert post_event(client, tampered, header).status_code == 400


def test_fake_stripe_unknown_event_type_is_a_logged_no_op(client, fake, caplog):
    body, header = signed(fake, "customer.created", {"id": "cus_1", "object": "customer"})
    with caplog.at_level("INFO", logger="terms_kit.payments"):
        response = post_event(client, body, header)
    assert response.status_code == 200
    assert b"ignored" in response.content
    assert "customer.created" in caplog.text
    assert not ProviderEvent.objects.exists()


def test_fake_stripe_event_for_a_payment_terms_kit_did_not_start_is_ignored(client, fake):
    body, header = signed(fake, "payment_intent.succeeded", INTENT)
    response = post_event(client, body, header)
    assert response.status_code == 200 and b"unknown payment" in response.content
    assert not ProviderEvent.objects.exists() and not Payment.objects.exists()


def test_webhook_is_404_for_a_provider_that_is_not_configured(client, settings):
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PAYMENT_PROVIDER": None}
    assert client.post("/terms/webhooks/stripe/", data="{}",
                       content_type="application/json").status_code == 404


def test_fake_stripe_webhook_answers_get_with_405(client, fake):
    assert client.get(WEBHOOK_URL).status_code == 405


def test_system_check_names_the_missing_stripe_setting(settings):
    from terms_kit.checks import check_payment_provider

    settings.TERMS_KIT = {**settings.TERMS_KIT, "PAYMENT_PROVIDER": STRIPE,
                          "PAYMENT_PROVIDER_OPTIONS": {"secret_key": SECRET_KEY}}
    errors = check_payment_provider()
    assert [e.id for e in errors] == ["terms_kit.E020"]
    assert "PAYMENT_PROVIDER_OPTIONS']['webhook_secret']" in errors[0].msg
    assert errors[0].level == checks.ERROR
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PAYMENT_PROVIDER_OPTIONS": {
        "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}}
    assert check_payment_provider() == []
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PAYMENT_PROVIDER": None}
    assert check_payment_provider() == [] and get_provider() is None


def test_a_provider_path_that_cannot_be_imported_is_a_clear_error(settings):
    from terms_kit.checks import check_payment_provider

    settings.TERMS_KIT = {**settings.TERMS_KIT,
                          "PAYMENT_PROVIDER": "terms_kit.payments.providers.nope.Provider"}
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_PROVIDER"):
        get_provider()
    assert "cannot be imported" in check_payment_provider()[0].msg


def test_amounts_go_to_stripe_in_cents_and_never_finer():
    from decimal import Decimal

    assert to_minor(Decimal("4320.00")) == 432000
    assert to_minor(Decimal("0.01")) == 1
    with pytest.raises(ValueError):
        to_minor(Decimal("1.005"))


def test_normalised_events_read_the_object_in_the_event():
    hold = normalise({"id": "evt_1", "type": "payment_intent.amount_capturable_updated",
                      "created": 1_800_000_000, "data": {"object": {
                          "id": "pi_1", "amount_capturable": 6000, "currency": "eur",
                          "metadata": {"terms_kit_checkout": "7"},
                          "latest_charge": {"payment_method_details": {
                              "card": {"capture_before": 1_800_600_000}}}}}})
    assert (hold.kind, hold.payment_id, hold.checkout_ref, str(hold.amount), hold.currency) == (
        "authorised", "pi_1", "7", "60.00", "EUR")
    assert hold.capture_before.timestamp() == 1_800_600_000
    unpaid = normalise({"id": "evt_2", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_1", "payment_status": "unpaid", "payment_intent": "pi_1",
        "client_reference_id": "7", "amount_total": 6000, "currency": "eur"}}})
    assert unpaid.kind == "checkout_completed" and unpaid.session_id == "cs_1"


def test_fake_stripe_checkout_is_idempotent_on_terms_kits_reference(fake):
    from decimal import Decimal

    provider = get_provider()
    kwargs = {"amount": Decimal("4320.00"), "currency": "EUR", "description": "D-2026-0001",
              "email": "a@example.fr", "language": "fr", "success_url": "http://t/ok",
              "cancel_url": "http://t/no"}
    first = provider.create_checkout(reference=41, **kwargs)
    again = provider.create_checkout(reference=41, **kwargs)
    other = provider.create_checkout(reference=42, **kwargs)
    assert first == again != other
    assert len(fake.sessions) == 2
    sent = [r for r in fake.requests if r[1] == "/v1/checkout/sessions"]
    assert sent[0][3] == "terms-kit-checkout-41"
    assert sent[0][2]["line_items"][0]["price_data"]["unit_amount"] == "432000"
    assert OnlineCheckout.objects.count() == 0  # the backend stores nothing itself


def test_card_holds_command_runs_with_nothing_to_do():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("termskit", "card-holds", stdout=out)
    assert "0 hold(s) about to expire notified, 0 expired." in out.getvalue()
