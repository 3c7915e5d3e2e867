from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..exceptions import ImmutableRecord
from ..status import Origin, Status
from .engagement import Engagement


class InsertOnlyQuerySet(models.QuerySet):
    """``Model.objects.filter(...).delete()`` never calls ``Model.delete()``: refuse it here
    too, so evidence and issued invoices outlive their legal retention (docs/deployment.md)."""

    def delete(self):
        raise ImmutableRecord(
            f"{self.model._meta.verbose_name} records are kept for their legal retention and "
            "cannot be deleted.")

    delete.queryset_only = True


class InsertOnlyModel(models.Model):
    """Evidence: written once, never updated nor deleted. A correction is a new record."""

    objects = InsertOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} records are insert-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{self._meta.verbose_name} records are insert-only.")


class StatusChange(InsertOnlyModel):
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="status_changes",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Copied so the record still says who acted after the account is gone.
    changed_by_label = models.CharField(_("changed by (name)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    origin = models.CharField(
        _("made by"), max_length=20, choices=Origin.choices, default=Origin.MANUAL
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"
