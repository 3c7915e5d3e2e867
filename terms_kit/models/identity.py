from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import validators
from .base import Address, OwnedModel


class LegalForm(models.TextChoices):
    EI = "ei", _("Sole trader (EI)")
    MICRO = "micro", _("Micro-entrepreneur (EI)")
    EURL = "eurl", _("EURL")
    SARL = "sarl", _("SARL")
    SASU = "sasu", _("SASU")
    SAS = "sas", _("SAS")
    SA = "sa", _("SA")
    SELARL = "selarl", _("SELARL / SELAS (liberal profession company)")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


SOLE_TRADER_FORMS = {LegalForm.EI, LegalForm.MICRO}


class VatRegime(models.TextChoices):
    NORMAL = "normal", _("VAT charged")
    FRANCHISE = "franchise", _("VAT franchise (art. 293 B CGI)")


class Profession(models.TextChoices):
    GENERAL = "general", _("Consultant, coach or freelancer")
    LAWYER = "lawyer", _("Lawyer (avocat)")
    HEALTH = "health", _("Health professional")
    TRAINING = "training", _("Trainer (vocational training)")
    ACCOUNTANT = "accountant", _("Chartered accountant")
    PERSONAL_SERVICES = "personal_services", _("Personal services at home (SAP)")


class BusinessIdentity(Address, OwnedModel):
    """Who the expert is on their documents: the seller's mentions of every quote and invoice."""

    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        help_text=_('As registered. A sole trader adds "EI", e.g. "Claire Martin EI".'),
    )
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    siren = models.CharField(_("SIREN"), max_length=11, validators=[validators.validate_siren])
    siret = models.CharField(
        _("SIRET"), max_length=17, blank=True, validators=[validators.validate_siret]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validators.validate_vat_number]
    )
    vat_regime = models.CharField(
        _("VAT regime"), max_length=20, choices=VatRegime.choices, default=VatRegime.NORMAL
    )
    vat_on_debits = models.BooleanField(
        _("VAT paid on debits"), default=False,
        help_text=_("Tick if you opted to pay VAT on debits (CGI 269-2-c): invoices then say "
                    "“Option pour le paiement de la taxe d'après les débits”."),
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validators.validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validators.validate_bic])
    insurer = models.CharField(_("professional insurer"), max_length=200, blank=True)
    insurance_policy = models.CharField(_("insurance policy number"), max_length=100, blank=True)
    insurance_coverage = models.CharField(
        _("insurance geographic coverage"), max_length=200, blank=True
    )
    mediator_name = models.CharField(_("consumer mediator"), max_length=200, blank=True)
    mediator_website = models.URLField(_("consumer mediator website"), blank=True)
    mediator_address = models.CharField(_("consumer mediator address"), max_length=300, blank=True)
    profession = models.CharField(
        _("profession"), max_length=20, choices=Profession.choices, default=Profession.GENERAL
    )
    supersedes = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="newer_versions",
        help_text=_("The record this one replaced once a sent quote had frozen it."),
    )
    einvoicing_from = models.DateField(
        _("e-invoicing start date"),
        null=True,
        blank=True,
        help_text=_("The date from which you issue e-invoices (1 Sep 2027 for micro-businesses)."),
    )

    class Meta:
        verbose_name = _("business identity")
        verbose_name_plural = _("business identities")
        ordering = ["legal_name"]

    def __str__(self):
        return self.trade_name or self.legal_name

    @property
    def is_sole_trader(self):
        return self.legal_form in SOLE_TRADER_FORMS

    @property
    def under_vat_franchise(self):
        return self.vat_regime == VatRegime.FRANCHISE

    def clean(self):
        super().clean()
        self.siren = validators.compact_digits(self.siren)
        self.siret = validators.compact_digits(self.siret)
        self.iban = self.iban.replace(" ", "").upper()
        self.vat_number = self.vat_number.replace(" ", "").upper()
        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError(
                {"siret": _("The SIRET must start with the SIREN (%(siren)s).") % {"siren": self.siren}}
            )
