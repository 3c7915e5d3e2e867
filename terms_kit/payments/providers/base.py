"""Online payment provider backends: the small interface terms-kit needs from a card processor.

A backend is a class loaded by dotted path (TERMS_KIT["PAYMENT_PROVIDER"], None = no online
payment) and built with TERMS_KIT["PAYMENT_PROVIDER_OPTIONS"] as keyword arguments, like the
PDF converters. The backend talks to the provider and turns its webhooks into normalised
``PaymentEvent``s; it never touches the database: terms_kit/payments/webhooks.py and
terms_kit/payments/online.py decide what an event or a payment means for an engagement.

Amounts cross this boundary as Decimal euros; each backend converts to its own units.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ...conf import app_settings
from ...exceptions import TermsKitError


class ProviderError(TermsKitError):
    """The provider refused a request or could not be reached; the message says which."""


class ProviderUnavailable(ProviderError):
    """No provider is configured, or the configured one lacks a setting or its library."""


class InvalidWebhook(TermsKitError):
    """A webhook request that is not signed by the provider (or not readable at all)."""


@dataclass(frozen=True)
class Checkout:
    """A payment page opened at the provider: send the client's browser to ``url``."""

    session_id: str
    url: str


@dataclass(frozen=True)
class PaymentState:
    """A payment (intent) as the provider sees it now."""

    payment_id: str
    status: str  # one of PaymentEvent kinds' vocabulary: "authorised", "paid", "canceled", "open"
    amount: Decimal  # held (authorised) or received (paid)
    currency: str
    capture_before: datetime | None = None
    checkout_ref: str = ""  # terms-kit's checkout id, from the payment's metadata


@dataclass(frozen=True)
class PaymentEvent:
    """One provider event, in terms-kit's words.

    ``kind``:
    - ``paid``: money received (``amount``) for ``payment_id``;
    - ``authorised``: a card hold of ``amount`` placed, to capture before ``capture_before``;
    - ``canceled``: the payment or hold will never bring money (released or expired);
    - ``refunded``: ``refunded_total`` is everything refunded so far on ``payment_id``;
    - ``checkout_completed``: the client finished the payment page (payment may follow);
    - ``ignored``: a type terms-kit does not act on.
    ``checkout_ref`` is terms-kit's own reference put in the provider's metadata when the
    checkout was made (the OnlineCheckout id), so an event finds its record in any order.
    """

    event_id: str
    type: str
    kind: str
    created: datetime
    payment_id: str = ""
    session_id: str = ""
    checkout_ref: str = ""
    amount: Decimal | None = None
    currency: str = ""
    refunded_total: Decimal | None = None
    capture_before: datetime | None = None
    cancellation_reason: str = ""
    payload: dict = field(default_factory=dict, compare=False, repr=False)


class PaymentProvider:
    """Base class of provider backends. Subclasses implement every method below."""

    name = "base"
    # The settings a backend cannot work without, as keys of PAYMENT_PROVIDER_OPTIONS.
    required_options = ()

    def __init__(self, **options):
        self.options = options

    def problems(self):
        """Reasons this backend cannot work, each naming the setting to fix (system check)."""
        return [
            f"TERMS_KIT['PAYMENT_PROVIDER_OPTIONS'][{key!r}] is not set: the "
            f"{self.name} backend needs it (see docs/configuration.md)."
            for key in self.required_options
            if not self.options.get(key)
        ]

    def checkout_origins(self):
        """Origins of the pages a client is sent to for paying ("https://host"): the client
        pages' Content-Security-Policy lets their pay form go there and nowhere else."""
        return []

    def require(self):
        problems = self.problems()
        if problems:
            raise ProviderUnavailable(" ".join(problems))

    def create_checkout(self, *, reference, amount, currency, description, email, language,
                        success_url, cancel_url, hold=False, metadata=None):
        """Open a payment page for ``amount``; ``hold``: authorise only (manual capture).

        ``reference`` is terms-kit's id for this checkout: the backend makes its request
        idempotent on it, so a repeated call never opens a second charge.
        """
        raise NotImplementedError

    def get_payment(self, payment_id):
        """The payment's current state (PaymentState): used when an event is not enough."""
        raise NotImplementedError

    def capture(self, payment_id, amount, *, reference):
        """Take ``amount`` (at most the hold) from a held card; returns the new PaymentState."""
        raise NotImplementedError

    def release(self, payment_id, *, reference):
        """Let a hold go without taking any money; returns the new PaymentState."""
        raise NotImplementedError

    def refund(self, payment_id, amount, *, reference):
        """Give back ``amount`` of a received payment; returns the provider's refund id."""
        raise NotImplementedError

    def list_refunds(self, payment_id):
        """Every refund made on a payment: [(refund id, Decimal amount)], succeeded ones."""
        raise NotImplementedError

    def parse_webhook(self, body, headers):
        """Check the signature of a webhook on its raw ``body`` and return its PaymentEvents.

        Raises InvalidWebhook when the request is not the provider's.
        """
        raise NotImplementedError


_lock = threading.Lock()
_instance = {"key": None, "provider": None}


def get_provider():
    """The configured provider backend, or None when online payment is off."""
    path = app_settings.PAYMENT_PROVIDER
    if not path:
        return None
    options = dict(app_settings.PAYMENT_PROVIDER_OPTIONS or {})
    key = (path, repr(sorted(options.items())))
    with _lock:
        if _instance["key"] != key:
            try:
                backend = import_string(path)
            except ImportError as exc:
                raise ImproperlyConfigured(
                    f"TERMS_KIT['PAYMENT_PROVIDER'] = {path!r} cannot be imported: {exc}. "
                    "For Stripe, install the extra: pip install 'terms-kit[stripe]'."
                ) from exc
            _instance.update(key=key, provider=backend(**options))
        return _instance["provider"]
