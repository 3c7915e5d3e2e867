from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user):
        """What ``user`` may see: their own records, or everything for a superuser."""
        if user.is_superuser:
            return self
        return self.filter(owner=user)


class OwnedModel(models.Model):
    """A record that belongs to one expert. Admin views and downloads filter on ``owner``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        # Deleting an account must never cascade into contracts and evidence.
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_owned_by(self, user):
        return user.is_superuser or self.owner_id == user.pk


class Address(models.Model):
    """Postal address fields shared by identities and clients."""

    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR", help_text=_("ISO code, e.g. FR"))

    class Meta:
        abstract = True

    @property
    def postal_address(self):
        lines = [self.address_line1, self.address_line2, f"{self.postcode} {self.city}".strip()]
        return "\n".join(line for line in lines if line)


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"
