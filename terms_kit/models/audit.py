"""Wagtail's history ("Site history", object history) for terms-kit records, per expert.

Wagtail keeps the log of every non-page model in one table and shows an entry to anyone with
a permission on its model: every expert would read every other expert's actions and labels
(client names, terms titles). terms-kit's records log here instead, with their owner, and an
expert sees the entries of the records they own. (Registered with Wagtail's
``register_log_actions`` hook in ``wagtail_hooks``.)
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager


class OwnedLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk), owner_id=instance.owner_id)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk),
        )

    def viewable_by_user(self, user):
        if user.is_superuser:
            return self.all()
        from ..permissions import policy_for

        # The entries of the records the user owns, for the models they may still use.
        allowed = []
        for content_type_id in self.filter(owner=user).get_content_type_ids():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is not None and policy_for(model).user_has_any_permission(
                    user, ["add", "change", "delete", "view"]):
                allowed.append(content_type_id)
        return self.filter(owner=user, content_type_id__in=allowed)


class OwnedLogEntry(BaseLogEntry):
    object_id = models.CharField(max_length=255, db_index=True)
    # No constraint: history outlives accounts (entries of a deleted user are superuser-only).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )

    objects = OwnedLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("terms-kit log entry")
        verbose_name_plural = _("terms-kit log entries")

    def save(self, *args, **kwargs):
        # Wagtail's save runs full_clean(), whose foreign-key checks read the content type
        # and the owner back (a query each, on every status change). The content type comes
        # from the logged instance, the owner from its owner_id (kept without a constraint
        # on purpose), the user from the caller: everything else is still validated.
        self.full_clean(exclude=["content_type", "owner", "user", "revision"])
        return models.Model.save(self, *args, **kwargs)

    def __str__(self):
        return (f"OwnedLogEntry {self.pk}: {self.action!r} on {self.object_verbose_name} "
                f"{self.object_id}")
