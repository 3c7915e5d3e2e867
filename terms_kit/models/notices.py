"""Formal notices (mises en demeure) and recourse files: evidence, insert-only.

Only ``terms_kit/dunning/notices.py`` and ``terms_kit/dunning/recourse.py`` write these.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..storage import get_storage
from .base import Language
from .documents import IssuedDocument
from .engagement import MONEY, Engagement
from .history import InsertOnlyModel


class FormalNotice(InsertOnlyModel):
    """A numbered mise en demeure for some unpaid invoices of one engagement, on one day.

    ``invoice_key`` (the invoice ids, sorted, comma-separated) with the engagement and the
    day makes issuing idempotent: the same request returns the same notice. ``snapshot`` holds
    every figure printed (canonical JSON: invoices, payments, interest lines, indemnities,
    deadline), ``snapshot_sha256`` its hash.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="formal_notices",
    )
    number = models.CharField(_("number"), max_length=40)
    year = models.PositiveIntegerField(_("numbering year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    issue_date = models.DateField(_("issue date"))
    invoice_key = models.CharField(_("invoices"), max_length=500)
    debtor = models.CharField(_("debtor"), max_length=10)  # interest.BUSINESS / CONSUMER
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days)"))
    deadline_date = models.DateField(_("pay by"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    principal = models.DecimalField(_("unpaid principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    indemnity = models.DecimalField(_("recovery indemnities"), **MONEY)
    total = models.DecimalField(_("total claimed"), **MONEY)
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64)
    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("formal notice")
        verbose_name_plural = _("formal notices")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "sequence"],
                                    name="terms_kit_formal_notice_number_unique"),
            models.UniqueConstraint(fields=["engagement", "invoice_key", "issue_date"],
                                    name="terms_kit_formal_notice_once_a_day"),
        ]

    def __str__(self):
        return f"{self.number} · {self.engagement}"

    @property
    def invoice_ids(self):
        return [int(part) for part in self.invoice_key.split(",") if part]


class Procedure(models.TextChoices):
    INJONCTION_TJ = "injonction_tj", _("Order for payment, tribunal judiciaire (Cerfa 12948*06)")
    INJONCTION_TC = "injonction_tc", _(
        "Order for payment, tribunal de commerce (Cerfa 12946*02)")
    SMALL_CLAIMS = "small_claims", _("Small-claims recovery by a commissaire de justice")


class RecourseFile(InsertOnlyModel):
    """The court-ready pack of an engagement's unpaid invoices on a day: a zip, hashed."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="recourse_files",
    )
    prepared_on = models.DateField(_("prepared on"))
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    claim_total = models.DecimalField(_("claim incl. interest"), **MONEY)
    prescription_date = models.DateField(_("prescription date"))
    warnings = models.JSONField(_("warnings"), default=list)
    manifest = models.JSONField(_("manifest"))
    zip_file = models.FileField(_("zip file"), max_length=200, storage=get_storage)
    zip_sha256 = models.CharField(_("zip SHA-256"), max_length=64)
    notice = models.ForeignKey(
        FormalNotice, verbose_name=_("formal notice"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="recourse_files",
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recourse file")
        verbose_name_plural = _("recourse files")
        ordering = ["-prepared_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "prepared_on"],
                                    name="terms_kit_recourse_file_once_a_day"),
        ]

    def __str__(self):
        return f"{self.engagement} · {self.prepared_on} · {self.get_procedure_display()}"
