"""Stripe backend: Checkout Sessions, card holds (manual capture), refunds, signed webhooks.

Needs the optional ``stripe`` package (``pip install 'terms-kit[stripe]'``), imported only
when this backend is configured. Options (TERMS_KIT["PAYMENT_PROVIDER_OPTIONS"]):
``secret_key`` (sk_...), ``webhook_secret`` (whsec_... of the endpoint), ``api_base``
(another API address, e.g. the offline fake in the tests; default Stripe's), ``timeout``.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import (
    Checkout,
    InvalidWebhook,
    PaymentEvent,
    PaymentProvider,
    PaymentState,
    ProviderError,
)

try:
    import stripe
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImproperlyConfigured(
        "TERMS_KIT['PAYMENT_PROVIDER'] is the Stripe backend but the stripe package is not "
        "installed: pip install 'terms-kit[stripe]'."
    ) from exc

CENTS = Decimal(100)
# Stripe's PaymentIntent statuses in terms-kit's words (PaymentState.status).
STATUSES = {"requires_capture": "authorised", "succeeded": "paid", "canceled": "canceled"}


def to_minor(amount):
    """Decimal euros -> integer cents, refusing anything finer than a cent."""
    cents = Decimal(amount) * CENTS
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals.")
    return int(cents)


def from_minor(cents):
    return (Decimal(int(cents)) / CENTS).quantize(Decimal("0.01"))


def _timestamp(value):
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


class StripeProvider(PaymentProvider):
    name = "stripe"
    required_options = ("secret_key", "webhook_secret")

    def __init__(self, secret_key="", webhook_secret="", api_base=None, timeout=20,
                 max_network_retries=2, **options):
        super().__init__(secret_key=secret_key, webhook_secret=webhook_secret,
                         api_base=api_base, **options)
        self.webhook_secret = webhook_secret
        self._client = None
        if secret_key:
            self._client = stripe.StripeClient(
                secret_key,
                base_addresses={"api": api_base} if api_base else None,
                max_network_retries=max_network_retries,
                http_client=stripe.RequestsClient(timeout=timeout),
            )

    def checkout_origins(self):
        # Stripe Checkout's pages, or the address given instead (a test server) with api_base.
        api_base = self.options.get("api_base")
        if api_base:
            parts = urlsplit(api_base)
            return [f"{parts.scheme}://{parts.netloc}"]
        return ["https://checkout.stripe.com"]

    @property
    def client(self):
        self.require()
        return self._client

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as exc:
            message = exc.user_message or str(exc) or type(exc).__name__
            raise ProviderError(f"Stripe refused the request: {message}") from exc

    # --- payments -------------------------------------------------------------------------

    def create_checkout(self, *, reference, amount, currency, description, email, language,
                        success_url, cancel_url, hold=False, metadata=None):
        metadata = {"terms_kit_checkout": str(reference), **(metadata or {})}
        intent = {"metadata": metadata, "description": description[:500]}
        params = {
            "mode": "payment",
            "client_reference_id": str(reference),
            "line_items": [{
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": to_minor(amount),
                    "product_data": {"name": description[:250]},
                },
            }],
            "metadata": metadata,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": language if language in ("fr", "en") else "auto",
            "payment_intent_data": intent,
        }
        if email:
            params["customer_email"] = email
        if hold:
            # A hold is a card authorisation: only cards can be held, then captured later.
            intent["capture_method"] = "manual"
            params["payment_method_types"] = ["card"]
        session = self._call(
            self.client.v1.checkout.sessions.create, params,
            {"idempotency_key": f"terms-kit-checkout-{reference}"},
        )
        return Checkout(session_id=session.id, url=session.url)

    def _state(self, intent):
        intent = intent.to_dict()
        charge = intent.get("latest_charge")
        capture_before = None
        if isinstance(charge, dict):
            card = ((charge.get("payment_method_details") or {}).get("card") or {})
            capture_before = _timestamp(card.get("capture_before"))
        status = STATUSES.get(intent["status"], "open")
        cents = intent.get("amount_received") if status == "paid" else (
            intent.get("amount_capturable") or intent.get("amount"))
        return PaymentState(
            payment_id=intent["id"], status=status, amount=from_minor(cents or 0),
            currency=str(intent["currency"]).upper(), capture_before=capture_before,
            checkout_ref=str((intent.get("metadata") or {}).get("terms_kit_checkout") or ""),
        )

    def get_payment(self, payment_id):
        intent = self._call(self.client.v1.payment_intents.retrieve, payment_id,
                            {"expand": ["latest_charge"]})
        return self._state(intent)

    def capture(self, payment_id, amount, *, reference):
        intent = self._call(
            self.client.v1.payment_intents.capture, payment_id,
            {"amount_to_capture": to_minor(amount)},
            {"idempotency_key": f"terms-kit-capture-{reference}"},
        )
        return self._state(intent)

    def release(self, payment_id, *, reference):
        intent = self._call(
            self.client.v1.payment_intents.cancel, payment_id,
            {"cancellation_reason": "abandoned"},
            {"idempotency_key": f"terms-kit-release-{reference}"},
        )
        return self._state(intent)

    def refund(self, payment_id, amount, *, reference):
        refund = self._call(
            self.client.v1.refunds.create,
            {"payment_intent": payment_id, "amount": to_minor(amount)},
            {"idempotency_key": f"terms-kit-refund-{reference}"},
        )
        return refund.id

    def list_refunds(self, payment_id):
        refunds = self._call(self.client.v1.refunds.list,
                             {"payment_intent": payment_id, "limit": 100})
        return [(refund.id, from_minor(refund.amount)) for refund in refunds.data
                if refund.status in ("succeeded", "pending")]

    # --- webhooks -------------------------------------------------------------------------

    def parse_webhook(self, body, headers):
        if not self.webhook_secret:
            self.require()
        try:
            # The SDK checks the HMAC of "t.<raw body>" and the timestamp's age (5 min).
            # Its verify_header only: construct_event would also build a StripeObject tree
            # of the whole event, which normalise() does not read (a sixth of a webhook's
            # CPU time in bench/payments_webhooks.py).
            stripe.WebhookSignature.verify_header(
                body, headers.get("Stripe-Signature"), self.webhook_secret,
                stripe.Webhook.DEFAULT_TOLERANCE)
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook(f"Bad Stripe signature: {exc}") from exc
        except ValueError as exc:  # a body that is not UTF-8
            raise InvalidWebhook(f"The body is not a Stripe event: {exc}") from exc
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise InvalidWebhook(f"The body is not a Stripe event: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise InvalidWebhook("The body is not a Stripe event.")
        return [normalise(data)]


def normalise(event):
    """A Stripe event (dict) -> one PaymentEvent, from the object's state in the event."""
    obj = event["data"].get("object") or {}
    etype = str(event.get("type", ""))
    base = {
        "event_id": str(event.get("id", "")),
        "type": etype,
        "created": _timestamp(event.get("created")) or datetime.now(UTC),
        "currency": str(obj.get("currency") or "").upper(),
        "payload": event,
    }
    metadata = obj.get("metadata") or {}
    ref = str(metadata.get("terms_kit_checkout") or "")
    if etype == "checkout.session.completed":
        paid = obj.get("payment_status") == "paid"
        return PaymentEvent(
            kind="paid" if paid else "checkout_completed", session_id=str(obj.get("id", "")),
            payment_id=str(obj.get("payment_intent") or ""),
            checkout_ref=str(obj.get("client_reference_id") or ref),
            amount=from_minor(obj.get("amount_total") or 0), **base)
    if etype == "payment_intent.succeeded":
        return PaymentEvent(kind="paid", payment_id=str(obj["id"]), checkout_ref=ref,
                            amount=from_minor(obj.get("amount_received") or 0), **base)
    if etype == "payment_intent.amount_capturable_updated":
        charge = obj.get("latest_charge")
        card = ((charge.get("payment_method_details") or {}).get("card") or {}
                if isinstance(charge, dict) else {})
        return PaymentEvent(kind="authorised", payment_id=str(obj["id"]), checkout_ref=ref,
                            amount=from_minor(obj.get("amount_capturable") or 0),
                            capture_before=_timestamp(card.get("capture_before")), **base)
    if etype == "payment_intent.canceled":
        return PaymentEvent(kind="canceled", payment_id=str(obj["id"]), checkout_ref=ref,
                            cancellation_reason=str(obj.get("cancellation_reason") or ""),
                            amount=from_minor(obj.get("amount") or 0), **base)
    if etype in ("refund.created", "refund.updated"):
        # The refund list is read from the API when handled: one path for every refund event.
        return PaymentEvent(kind="refunded", payment_id=str(obj.get("payment_intent") or ""),
                            checkout_ref=ref, amount=from_minor(obj.get("amount") or 0), **base)
    if etype == "charge.refunded":
        return PaymentEvent(kind="refunded", payment_id=str(obj.get("payment_intent") or ""),
                            checkout_ref=ref,
                            amount=from_minor(obj.get("amount_captured") or 0),
                            refunded_total=from_minor(obj.get("amount_refunded") or 0), **base)
    return PaymentEvent(kind="ignored", **base)
