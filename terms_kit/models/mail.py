"""Every message the app sends, as it was sent: the proof of sending (insert-only).

Written by ``services/mail.py`` only, after the mail backend answered, so ``outcome`` states
what really happened. A formal notice sent by e-mail relies on this record: recipients, the
exact body (and its SHA-256), each attachment's name, size and SHA-256, the message id.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .engagement import Engagement
from .history import InsertOnlyModel


class SentMessage(InsertOnlyModel):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # Null for the site's own messages (e.g. consent chain checkpoints to the operator).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="sent_messages",
    )
    kind = models.CharField(_("kind"), max_length=40)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    recipients = models.JSONField(_("to"))
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("body"))
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64)
    html_sha256 = models.CharField(_("HTML body SHA-256"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # [{"name", "size", "sha256", "mimetype"}, ...]
    attachments = models.JSONField(_("attachments"), default=list)
    message_id = models.CharField(_("message id"), max_length=500, blank=True)
    backend_message_id = models.CharField(_("backend message id"), max_length=500, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    related_type = models.ForeignKey(
        ContentType, verbose_name=_("related record type"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    related_id = models.CharField(_("related record id"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")
        ordering = ["sent_at", "pk"]
        constraints = [
            # A message given an idempotency key is sent (successfully) once.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key="") & Q(outcome="sent"),
                name="terms_kit_sentmessage_idempotency_unique",
            )
        ]
        indexes = [models.Index(fields=["related_type", "related_id"],
                                name="terms_kit_sentmsg_related")]

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} · {self.kind} → {', '.join(self.recipients)}"

    def is_owned_by(self, user):
        return user.is_superuser or (self.owner_id is not None and self.owner_id == user.pk)
