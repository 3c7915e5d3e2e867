from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .engagement import Engagement
from .history import InsertOnlyModel


class WizardState(models.Model):
    """Where an expert is in the terms wizard for one draft engagement.

    The engagement itself holds every answer that the data model has a field for; this row
    only keeps what the wizard needs besides: which steps were saved valid (so the expert
    can jump back to any of them) and the profession questions (fee agreement, training
    rules) that have no engagement field yet.
    """

    engagement = models.OneToOneField(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE,
        related_name="wizard_state",
    )
    completed_steps = models.JSONField(_("completed steps"), default=list, blank=True)
    answers = models.JSONField(_("profession answers"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("wizard state")
        verbose_name_plural = _("wizard states")

    def __str__(self):
        return f"{self.engagement_id}: {', '.join(self.completed_steps)}"


class WarningAcknowledgement(InsertOnlyModel):
    """Evidence that an expert read a compliance warning and chose to send anyway.

    The message and source are copied: the checker's wording may change later, the record
    must still say what the expert saw.
    """

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="warning_acknowledgements",
    )
    rule_id = models.CharField(_("rule"), max_length=100)
    field = models.CharField(_("field"), max_length=200, blank=True)
    message = models.TextField(_("message shown"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    acknowledged_by_label = models.CharField(
        _("acknowledged by (name)"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("warning acknowledgement")
        verbose_name_plural = _("warning acknowledgements")
        ordering = ["acknowledged_at", "pk"]

    def __str__(self):
        return f"{self.rule_id} ({self.acknowledged_by_label})"
