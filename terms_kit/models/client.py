from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import validators
from .base import Address, Language, OwnedModel


class ClientKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    CONSUMER = "consumer", _("Private person (consumer)")


class Client(Address, OwnedModel):
    """The expert's client. Whether it is a consumer decides most of the law that applies."""

    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Company name, or the person's full name.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    siren = models.CharField(
        _("SIREN"), max_length=11, blank=True, validators=[validators.validate_siren]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validators.validate_vat_number]
    )
    headcount = models.PositiveIntegerField(
        _("headcount"),
        null=True,
        blank=True,
        help_text=_("Employees of a business client: 5 or fewer may bring consumer protection."),
    )
    outside_core_activity = models.BooleanField(
        _("service outside the client's core activity"),
        default=False,
        help_text=_("Tick when what you sell is not part of the client business's main activity."),
    )

    supersedes = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="newer_versions",
        help_text=_("The record this one replaced once a sent quote had frozen it."),
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_consumer(self):
        return self.kind == ClientKind.CONSUMER

    def clean(self):
        super().clean()
        self.siren = validators.compact_digits(self.siren)
        self.vat_number = self.vat_number.replace(" ", "").upper()
