import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..exceptions import ImmutableRecord
from .base import Language, OwnedModel


class TermsVersion(OwnedModel):
    """One version of an expert's terms of sale (CGV).

    A draft can be edited; once published the text is frozen and hashed, so the version a
    client accepted can be shown again byte for byte. A change means publishing a new version;
    engagements keep pointing at the version they were sent with.
    """

    title = models.CharField(_("title"), max_length=200, default="Conditions générales de vente")
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    body = models.TextField(
        _("text"), help_text=_("The terms, one clause a paragraph. Titles start with '#'.")
    )
    supersedes = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="newer_versions",
        help_text=_("The record this one replaced once a sent quote had frozen it."),
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    content_hash = models.CharField(
        _("content hash (SHA-256)"), max_length=64, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("terms of sale version")
        verbose_name_plural = _("terms of sale versions")
        ordering = ["owner", "-version", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "version"], name="terms_kit_terms_version_unique_per_owner"
            )
        ]

    def __str__(self):
        if self.is_published:
            return f"{self.title} v{self.version}"
        return f"{self.title} ({_('draft')})"

    @property
    def is_published(self):
        return self.published_at is not None

    def compute_hash(self):
        """SHA-256 of the canonical JSON of what the client reads."""
        payload = {"title": self.title, "language": self.language, "body": self.body}
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk, published_at__isnull=False).first()
            if stored is not None:
                raise ImmutableRecord(
                    f"Terms version {stored} is published and cannot change: publish a new version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ImmutableRecord(f"Terms version {self} is published and cannot be deleted.")
        return super().delete(*args, **kwargs)
