"""The money after acceptance: schedule, invoices, payments, refunds and credit used.

Only ``services/payments.py`` and ``services/invoicing.py`` write these. The engagement's
status summarises them; the records themselves say what is due, what was invoiced under which
number and what was received. Invoices, payments, allocations, refunds and credit uses are
evidence: insert-only (a correction is a credit note or a refund, never an edit).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import Language
from .documents import IssuedDocument
from .engagement import MONEY, Engagement, Milestone
from .history import InsertOnlyModel

ZERO = Decimal("0.00")


class InstalmentKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    MILESTONE = "milestone", _("Milestone")
    BALANCE = "balance", _("Balance")
    FULL = "full", _("Full payment")
    CREDIT_PACK = "credit_pack", _("Time-credit pack")
    ACT = "act", _("Act")
    PREAUTHORISATION = "preauthorisation", _("Card pre-authorisation")


class InstalmentState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Due")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class DueTrigger(models.TextChoices):
    """What makes an instalment fall due (its due date is computed then)."""

    ACCEPTANCE = "acceptance", _("On acceptance")
    WITHDRAWAL_END = "withdrawal_end", _("When the withdrawal period ends")
    MILESTONE_DONE = "milestone_done", _("When the milestone is done")
    COMPLETION = "completion", _("When the service is completed")
    ACT = "act", _("When the act is provided")


class Instalment(models.Model):
    """One amount the client owes under the accepted terms, incl. VAT.

    Not evidence (its state moves), but only the payments service changes it, under the
    engagement's row lock. ``paid_amount`` is the sum of its allocations, kept with them.
    """

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="instalments",
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=InstalmentKind.choices)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount incl. VAT"), **MONEY)
    due_trigger = models.CharField(
        _("falls due"), max_length=20, choices=DueTrigger.choices, default=DueTrigger.ACCEPTANCE
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=InstalmentState.choices,
        default=InstalmentState.SCHEDULED,
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="instalments",
    )
    paid_amount = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    # A card hold (pre-authorisation) secures the instalment before it is paid.
    secured_at = models.DateTimeField(_("secured at"), null=True, blank=True)
    secured_reference = models.CharField(_("hold reference"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["engagement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "position"], name="terms_kit_instalment_position_unique"
            )
        ]

    def __str__(self):
        return f"{self.label} · {self.amount}"

    @property
    def left_to_pay(self):
        if self.state in (InstalmentState.CANCELLED, InstalmentState.REFUNDED):
            return ZERO
        return self.amount - self.paid_amount

    @property
    def is_open(self):
        """Due now (or late) and not fully paid."""
        return self.state in (
            InstalmentState.DUE, InstalmentState.PARTLY_PAID, InstalmentState.OVERDUE
        )


class Series(models.TextChoices):
    """Each series has its own continuous numbering per expert and year."""

    QUOTE = "quote", _("Quotes")
    INVOICE = "invoice", _("Invoices")
    CREDIT_NOTE = "credit_note", _("Credit notes")
    RECEIPT = "receipt", _("Receipts")


class InvoiceKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit invoice")
    MILESTONE = "milestone", _("Milestone invoice")
    FINAL = "final", _("Final invoice")
    ACT = "act", _("Invoice")
    RECEIPT = "receipt", _("Payment receipt")
    CREDIT_NOTE = "credit_note", _("Credit note")


SERIES_OF_KIND = {
    InvoiceKind.DEPOSIT: Series.INVOICE,
    InvoiceKind.MILESTONE: Series.INVOICE,
    InvoiceKind.FINAL: Series.INVOICE,
    InvoiceKind.ACT: Series.INVOICE,
    InvoiceKind.RECEIPT: Series.RECEIPT,
    InvoiceKind.CREDIT_NOTE: Series.CREDIT_NOTE,
}


class Payment(InsertOnlyModel):
    """Money received, as recorded by the expert or reported by a provider."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        CARD_TERMINAL = "card_terminal", _("Card (terminal)")
        CARD_ONLINE = "card_online", _("Card (online)")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    # "" for a payment the expert records by hand; the backend's name otherwise.
    provider = models.CharField(_("provider"), max_length=30, blank=True, default="")
    provider_payment_id = models.CharField(
        _("provider payment id"), max_length=255, blank=True, default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_by_label = models.CharField(_("recorded by (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            # A provider's payment is recorded once, however often its webhook is delivered.
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="terms_kit_payment_provider_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.amount} · {self.paid_on} · {self.get_method_display()}"


class Invoice(InsertOnlyModel):
    """An issued invoice, receipt or credit note: numbered, frozen, with its document.

    ``snapshot`` holds every figure and mention printed (canonical JSON), ``snapshot_sha256``
    its hash; ``document`` the DOCX + PDF/A made from it after the commit, by a task (None
    until then: the pages say "document being prepared"). Amounts: ``excl_vat``/``vat``/
    ``incl_vat`` are what the document covers, ``deducted`` what earlier invoices already
    billed (by number), ``net`` = ``incl_vat`` - ``deducted`` is what it asks for (a credit
    note: what it gives back).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="invoices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InvoiceKind.choices)
    series = models.CharField(_("series"), max_length=20, choices=Series.choices)
    number = models.CharField(_("number"), max_length=40)
    year = models.PositiveIntegerField(_("numbering year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="invoices",
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="invoices",
    )
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects invoice"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="credit_notes",
    )
    excl_vat = models.DecimalField(_("total excl. VAT"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    incl_vat = models.DecimalField(_("total incl. VAT"), **MONEY)
    deducted = models.DecimalField(_("deducted (earlier invoices)"), default=ZERO, **MONEY)
    net = models.DecimalField(_("net amount"), **MONEY)
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["issue_date", "series", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "series", "year", "sequence"],
                name="terms_kit_invoice_number_unique",
            ),
            # One invoice per instalment and kind (a milestone is invoiced once)...
            models.UniqueConstraint(
                fields=["instalment", "kind"],
                condition=Q(kind__in=["milestone", "final", "act"]),
                name="terms_kit_invoice_once_per_instalment",
            ),
            # ... and one deposit invoice or receipt per payment received.
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(kind__in=["deposit", "receipt"]),
                name="terms_kit_invoice_once_per_payment",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.get_kind_display()}"

    @property
    def is_credit_note(self):
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def document(self):
        """The DOCX + PDF/A printing this invoice, or None while the task is making it
        (the document points to the invoice: see IssuedDocument.invoice)."""
        try:
            return self.issued_document
        except IssuedDocument.DoesNotExist:
            return None


class Allocation(InsertOnlyModel):
    """The share of a payment (positive) or of a refund (negative) that goes to an instalment."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    refund = models.ForeignKey(
        "Refund", verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="allocations",
    )
    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), on_delete=models.PROTECT,
        related_name="allocations",
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.amount} → {self.instalment}"


class Refund(InsertOnlyModel):
    """Money given back on a payment; a credit note records it when an invoice was issued."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="refunds",
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500)
    refunded_on = models.DateField(_("refunded on"))
    provider = models.CharField(_("provider"), max_length=30, blank=True, default="")
    provider_refund_id = models.CharField(
        _("provider refund id"), max_length=255, blank=True, default=""
    )
    credit_note = models.OneToOneField(
        Invoice, verbose_name=_("credit note"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="refund",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_by_label = models.CharField(_("recorded by (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["refunded_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_refund_id"],
                condition=~Q(provider_refund_id=""),
                name="terms_kit_refund_provider_id_unique",
            )
        ]

    def __str__(self):
        return f"-{self.amount} · {self.refunded_on}"


class CreditUse(InsertOnlyModel):
    """A session (hours) or an act consumed by the client, recorded by the expert."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="credit_uses",
    )
    used_on = models.DateField(_("date"))
    quantity = models.DecimalField(_("hours or acts"), max_digits=9, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit use")
        verbose_name_plural = _("credit uses")
        ordering = ["used_on", "pk"]

    def __str__(self):
        return f"{self.quantity} · {self.used_on}"


class CreditClosure(InsertOnlyModel):
    """How a time credit ended: the hours left refunded pro rata, or expired (kept).

    One per engagement (the unique key): closing twice, or two requests at once, leaves one
    closure and at most one refund.
    """

    class Outcome(models.TextChoices):
        REFUNDED = "refunded", _("Unused hours refunded")
        EXPIRED = "expired", _("Unused hours expired")

    engagement = models.OneToOneField(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="credit_closure",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    hours_left = models.DecimalField(_("hours left"), max_digits=9, decimal_places=2)
    closed_on = models.DateField(_("closed on"))
    refund = models.OneToOneField(
        Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="credit_closure",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit closure")
        verbose_name_plural = _("credit closures")

    def __str__(self):
        return f"{self.get_outcome_display()} · {self.hours_left} h · {self.closed_on}"


class WorkStartNotice(models.Model):
    """The expert was told, once, that work may start (the unique key makes it once)."""

    engagement = models.OneToOneField(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="work_start_notice",
    )
    notified_at = models.DateTimeField(_("notified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work-start notice")
        verbose_name_plural = _("work-start notices")

    def __str__(self):
        return f"{self.engagement} · {self.notified_at:%Y-%m-%d}"
