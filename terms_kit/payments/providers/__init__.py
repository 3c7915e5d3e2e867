from .base import (
    Checkout,
    InvalidWebhook,
    PaymentEvent,
    PaymentProvider,
    PaymentState,
    ProviderError,
    ProviderUnavailable,
    get_provider,
)

__all__ = [
    "Checkout",
    "PaymentState",
    "InvalidWebhook",
    "PaymentEvent",
    "PaymentProvider",
    "ProviderError",
    "ProviderUnavailable",
    "get_provider",
]
