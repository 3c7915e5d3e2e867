from .base import (
    Checkout,
    PaymentState,
    InvalidWebhook,
    PaymentEvent,
    PaymentProvider,
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
