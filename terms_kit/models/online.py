"""Online payment records: each payment page opened at a provider, and each webhook event seen.

``OnlineCheckout`` is operational state (it moves: open -> authorised -> captured...), changed
only by services/online_payments.py under its row lock. ``ProviderEvent`` is evidence that an
event was received and handled, written once: its unique key makes a redelivered event a no-op.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .engagement import MONEY, Engagement
from .history import InsertOnlyModel
from .payments import Instalment


class CheckoutState(models.TextChoices):
    OPEN = "open", _("Waiting for the client")
    AUTHORISED = "authorised", _("Card hold placed")
    PAID = "paid", _("Paid")
    CAPTURED = "captured", _("Hold captured")
    RELEASED = "released", _("Hold released")
    EXPIRED = "expired", _("Hold expired")
    CANCELED = "canceled", _("Cancelled")


class OnlineCheckout(models.Model):
    """A provider's payment page for one instalment (a payment, or a card hold)."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="online_checkouts",
    )
    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), on_delete=models.PROTECT,
        related_name="online_checkouts",
    )
    provider = models.CharField(_("provider"), max_length=30)
    hold = models.BooleanField(_("card hold (captured later)"), default=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    session_id = models.CharField(_("checkout session id"), max_length=255, blank=True)
    url = models.CharField(_("payment page"), max_length=2000, blank=True)
    payment_id = models.CharField(_("provider payment id"), max_length=255, blank=True,
                                  db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=CheckoutState.choices,
                             default=CheckoutState.OPEN)
    capture_before = models.DateTimeField(_("capture before"), null=True, blank=True)
    captured_amount = models.DecimalField(_("captured"), null=True, blank=True, **MONEY)
    expiry_warned_at = models.DateTimeField(_("expiry warning sent"), null=True, blank=True)
    # Money taken that terms-kit could not record (e.g. an overpayment): for the expert.
    problem = models.TextField(_("problem"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("online checkout")
        verbose_name_plural = _("online checkouts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "capture_before"],
                                name="terms_kit_checkout_hold_idx")]

    def __str__(self):
        return f"{self.provider} · {self.amount} {self.currency} · {self.get_state_display()}"


class ProviderEvent(InsertOnlyModel):
    """A provider's webhook event, recorded once when it is handled."""

    provider = models.CharField(_("provider"), max_length=30)
    event_id = models.CharField(_("event id"), max_length=255)
    type = models.CharField(_("type"), max_length=100)
    payment_id = models.CharField(_("provider payment id"), max_length=255, blank=True)
    checkout = models.ForeignKey(
        OnlineCheckout, verbose_name=_("checkout"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"],
                                    name="terms_kit_provider_event_once"),
        ]

    def __str__(self):
        return f"{self.provider} {self.type} {self.event_id}"
