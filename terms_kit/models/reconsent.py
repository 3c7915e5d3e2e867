"""Asking a client who accepted an old terms version to accept the new one (re-consent).

One request per engagement and terms version: sending twice reuses it. The answer itself is
evidence in the consent chain (kind ``terms_reconsent``); this row only tracks the state the
expert sees (pending, accepted, declined) and points at that record. The engagement's first
acceptance is never touched: the history of which version was accepted when is read from the
chain (services/reconsent.py ``terms_history``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .acceptance import ConsentRecord, SealedFile
from .engagement import Engagement
from .terms import TermsVersion


class ReconsentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ReconsentRequest(models.Model):
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="reconsent_requests")
    terms_version = models.ForeignKey(
        TermsVersion, verbose_name=_("new terms version"), on_delete=models.PROTECT,
        related_name="+")
    previous_version = models.ForeignKey(
        TermsVersion, verbose_name=_("terms version accepted before"), on_delete=models.PROTECT,
        related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=ReconsentState.choices,
                             default=ReconsentState.PENDING)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    record = models.OneToOneField(
        ConsentRecord, verbose_name=_("consent record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="reconsent")
    sealed = models.OneToOneField(
        SealedFile, verbose_name=_("sealed record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("re-consent request")
        verbose_name_plural = _("re-consent requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Sending twice (two clicks, two admins) cannot ask the same client twice.
            models.UniqueConstraint(fields=["engagement", "terms_version"],
                                    name="terms_kit_one_reconsent_per_version"),
        ]

    def __str__(self):
        return f"{self.engagement} → {self.terms_version}"
