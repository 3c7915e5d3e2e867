from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from ..money import compute_totals, percent_of
from ..status import Status
from ..vat.treatments import VatExemption
from .base import Language, OwnedModel
from .client import Client
from .identity import BusinessIdentity
from .terms import TermsVersion

MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT_RANGE = [
    MinValueValidator(Decimal("0"), message=_("A percentage cannot be below 0.")),
    MaxValueValidator(Decimal("100"), message=_("A percentage cannot be above 100.")),
]
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": PERCENT_RANGE}


class Channel(models.TextChoices):
    ON_PREMISES = "on_premises", _("On the expert's premises")
    DISTANCE = "distance", _("At a distance (online, phone, e-mail)")
    OFF_PREMISES = "off_premises", _("Off premises (at the client's home or office)")


class PaymentModel(models.TextChoices):
    FULL_PREPAYMENT = "full_prepayment", _("Full payment before the service")
    DEPOSIT = "deposit", _("Deposit, balance at the end")
    MILESTONES = "milestones", _("Milestones")
    TIME_CREDIT = "time_credit", _("Prepaid time credit")
    PAY_PER_ACT = "pay_per_act", _("Pay per act")
    PREAUTHORISATION = "preauthorisation", _("Card pre-authorisation, captured after the service")
    ON_COMPLETION = "on_completion", _("Payment after the service")


class UnusedCredit(models.TextChoices):
    """What happens to the hours of a time credit the client has not used."""

    REFUNDED = "refunded", _("Refunded pro rata")
    KEPT = "kept", _("Kept by the expert when the validity period ends")


class FeeBasis(models.TextChoices):
    """How a lawyer's fees are set in the written fee agreement (loi 71-1130 art. 10)."""

    NOT_STATED = "", _("Not answered yet")
    TIME_SPENT = "time_spent", _("Time spent, at an hourly rate")
    FLAT_FEE = "flat_fee", _("Flat fee")
    SUCCESS_ONLY = "success_only", _("A fee on the result only")
    NONE = "none", _("No written fee agreement")


class FeeAgreementExemption(models.TextChoices):
    """When art. 10 waives the written fee agreement."""

    NONE = "", _("None")
    URGENCY = "urgency", _("Urgency")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    LEGAL_AID = "legal_aid", _("Full legal aid (aide juridictionnelle totale)")


class DepositLabel(models.TextChoices):
    NONE = "", _("Not stated")
    ACOMPTE = "acompte", _("Acompte (firm commitment)")
    ARRHES = "arrhes", _("Arrhes (either party may withdraw)")


class DueBasis(models.TextChoices):
    INVOICE_DATE = "invoice_date", _("days from the invoice date")
    END_OF_MONTH = "end_of_month", _("days end of month")


class OperationCategory(models.TextChoices):
    """Décret 2022-1299: the category of the operation printed on invoices."""

    SERVICES = "services", _("Services")
    GOODS = "goods", _("Goods")
    MIXED = "mixed", _("Goods and services")


class Engagement(ClusterableModel, OwnedModel):
    """The quote (devis) that becomes the contract once the client accepts it."""

    identity = models.ForeignKey(
        BusinessIdentity, verbose_name=_("business identity"), on_delete=models.PROTECT,
        related_name="engagements",
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="engagements"
    )
    terms_version = models.ForeignKey(
        TermsVersion, verbose_name=_("terms of sale version"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="engagements",
    )
    # The number is given when the quote leaves the draft state, so a discarded draft never
    # leaves a hole in the sequence (see services.numbering).
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    number_year = models.PositiveIntegerField(_("numbering year"), null=True, editable=False)
    number_sequence = models.PositiveIntegerField(_("sequence"), null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    language = models.CharField(
        _("document language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    validity_date = models.DateField(_("valid until"), null=True, blank=True)
    channel = models.CharField(
        _("how the contract is made"), max_length=20, choices=Channel.choices,
        default=Channel.DISTANCE,
    )
    title = models.CharField(_("title"), max_length=200)
    service_description = models.TextField(_("service description"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    place = models.CharField(_("place of performance"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    duration = models.CharField(_("duration"), max_length=100, blank=True)
    operation_category = models.CharField(
        _("category of the operation"), max_length=10, choices=OperationCategory.choices,
        default=OperationCategory.SERVICES,
        help_text=_("Printed on invoices from your e-invoicing start (décret 2022-1299)."),
    )
    # Décret 2022-1299: invoices show the delivery address when it is not the client's.
    delivery_line1 = models.CharField(
        _("delivery address"), max_length=200, blank=True,
        help_text=_("Only when it differs from the client's address."),
    )
    delivery_line2 = models.CharField(_("delivery address (line 2)"), max_length=200, blank=True)
    delivery_postcode = models.CharField(_("delivery postcode"), max_length=20, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_country = models.CharField(
        _("delivery country"), max_length=2, blank=True, help_text=_("ISO code, e.g. FR")
    )

    payment_model = models.CharField(
        _("payment model"), max_length=20, choices=PaymentModel.choices,
        default=PaymentModel.DEPOSIT,
    )
    deposit_percent = models.DecimalField(_("deposit (%)"), null=True, blank=True, **PERCENT)
    deposit_label = models.CharField(
        _("deposit label"), max_length=10, choices=DepositLabel.choices, blank=True,
        default=DepositLabel.NONE,
    )
    due_days = models.PositiveIntegerField(_("payment term (days)"), null=True, blank=True)
    due_basis = models.CharField(
        _("payment term counted"), max_length=20, choices=DueBasis.choices,
        default=DueBasis.INVOICE_DATE,
    )
    early_payment_discount_percent = models.DecimalField(
        _("early-payment discount (%)"), null=True, blank=True, **PERCENT
    )
    early_payment_discount_days = models.PositiveIntegerField(
        _("early-payment discount within (days)"), null=True, blank=True
    )
    late_penalty_rate = models.DecimalField(
        _("late-penalty rate (% a year)"), null=True, blank=True, **PERCENT
    )
    recovery_indemnity = models.DecimalField(
        _("fixed recovery indemnity (EUR)"), null=True, blank=True, **MONEY
    )
    time_credit_hours = models.DecimalField(
        _("time credit (hours)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_credit_validity_months = models.PositiveIntegerField(
        _("time credit valid for (months)"), null=True, blank=True
    )
    unused_credit = models.CharField(
        _("unused credit"), max_length=10, choices=UnusedCredit.choices,
        default=UnusedCredit.REFUNDED,
        help_text=_("What happens to the hours left when the validity period ends. A "
                    "cancellation before then is refunded pro rata either way."),
    )
    # Loi 71-1130 art. 10: a lawyer's fee agreement, as data the checker decides on (the
    # title's wording can only raise a warning). "" = not answered: the checker asks for it.
    fee_basis = models.CharField(
        _("fee basis"), max_length=20, choices=FeeBasis.choices, blank=True,
        default=FeeBasis.NOT_STATED,
    )
    fee_hourly_rate = models.DecimalField(
        _("hourly rate excl. VAT (EUR)"), null=True, blank=True, **MONEY
    )
    fee_success_complement = models.BooleanField(
        _("plus a fee on the result obtained"), default=False,
        help_text=_("Only as a complement to a time-based or flat fee."),
    )
    fee_provision = models.DecimalField(
        _("provision on fees (EUR)"), null=True, blank=True, **MONEY
    )
    fee_agreement_exemption = models.CharField(
        _("no written agreement because of"), max_length=20,
        choices=FeeAgreementExemption.choices, blank=True, default=FeeAgreementExemption.NONE,
    )
    refund_terms = models.TextField(_("refund terms"), blank=True)
    cancellation_terms = models.TextField(_("cancellation terms"), blank=True)
    early_start_requested = models.BooleanField(
        _("service starts within the withdrawal period"),
        default=False,
        help_text=_("For a consumer at a distance or off premises: the client will be asked to "
                    "request the early start expressly."),
    )
    # A revision of a sent quote names it; sending the revision supersedes it.
    revises = models.ForeignKey(
        "self", verbose_name=_("revises quote"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="revisions",
    )
    # Bumped on every save; the wizard compares it to refuse silent overwrites.
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "number_year", "number_sequence"],
                name="terms_kit_engagement_number_unique",
            )
        ]

    def __str__(self):
        return f"{self.display_number} · {self.title}"

    @property
    def display_number(self):
        return self.number or _("Draft")

    def save(self, *args, **kwargs):
        self.lock_version += 1
        super().save(*args, **kwargs)

    @property
    def totals(self):
        return compute_totals(self.lines.all())

    @property
    def deposit_amount(self):
        """The deposit, a share of the total including VAT (what the client pays)."""
        if not self.deposit_percent:
            return None
        return percent_of(self.totals.total_incl_vat, self.deposit_percent)

    def clean(self):
        super().clean()
        errors = {}
        if self.owner_id:
            if self.identity_id and self.identity.owner_id != self.owner_id:
                errors["identity"] = _("Choose one of your own business identities.")
            if self.client_id and self.client.owner_id != self.owner_id:
                errors["client"] = _("Choose one of your own clients.")
            if self.terms_version_id and self.terms_version.owner_id != self.owner_id:
                errors["terms_version"] = _("Choose one of your own terms of sale versions.")
        if self.terms_version_id and not self.terms_version.is_published:
            errors["terms_version"] = _("Publish this terms version before using it in a quote.")
        if self.validity_date and self.issue_date and self.validity_date < self.issue_date:
            errors["validity_date"] = _("The quote cannot expire before its issue date.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class EngagementLine(models.Model):
    engagement = ParentalKey(Engagement, related_name="lines", on_delete=models.CASCADE)
    sort_order = models.PositiveIntegerField(_("position"), default=0, editable=False)
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"), message=_("A quantity must be above 0."))],
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True, default="forfait")
    unit_price = models.DecimalField(
        _("unit price excl. VAT"),
        validators=[MinValueValidator(Decimal("0"), message=_(
            "A unit price cannot be negative: use the line's discount instead."))],
        **MONEY,
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00"),
        validators=PERCENT_RANGE,
    )
    discount_percent = models.DecimalField(_("discount (%)"), null=True, blank=True, **PERCENT)
    # CGI 242 nonies A ann. II 13°: a line without VAT says why (terms_kit/vat/treatments.py).
    vat_exemption = models.CharField(
        _("reason for no VAT"), max_length=20, choices=VatExemption.choices, blank=True,
        default=VatExemption.NONE,
        help_text=_("Required when the line carries no VAT: the documents print its legal "
                    "mention instead of a zero rate."),
    )

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.description

    def clean(self):
        super().clean()
        if self.vat_exemption and self.vat_rate:
            raise ValidationError({"vat_rate": _(
                "This line has a reason for no VAT, so its VAT rate must be 0: set the rate to "
                "0, or choose no reason to charge VAT.")})


class Milestone(models.Model):
    engagement = ParentalKey(Engagement, related_name="milestones", on_delete=models.CASCADE)
    sort_order = models.PositiveIntegerField(_("position"), default=0, editable=False)
    label = models.CharField(_("label"), max_length=200)
    deliverable = models.CharField(_("deliverable"), max_length=300, blank=True)
    amount = models.DecimalField(
        _("amount excl. VAT"),
        validators=[MinValueValidator(Decimal("0.01"), message=_("A milestone amount must be above 0."))],
        **MONEY,
    )
    validation = models.CharField(
        _("validation step"), max_length=300, blank=True,
        help_text=_("How the client validates this milestone before it is invoiced."),
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.label


class NumberSequence(models.Model):
    """The last number given per expert, series and year; rows are locked while taken.

    Series: "quote", "invoice", "credit_note", "receipt" (each continuous on its own).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    series = models.CharField(max_length=20, default="quote")
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "series", "year"], name="terms_kit_sequence_series_unique"
            )
        ]
