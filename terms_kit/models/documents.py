from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..exceptions import ImmutableRecord
from ..storage import get_storage
from .base import Language, OwnedModel, OwnedQuerySet
from .engagement import Engagement


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Quote (devis)")
    TERMS = "terms", _("Terms of sale (CGV)")
    CERTIFICATE = "certificate", _("Acceptance certificate")
    DEPOSIT_INVOICE = "deposit_invoice", _("Deposit invoice")
    FINAL_INVOICE = "final_invoice", _("Final invoice")
    MILESTONE_INVOICE = "milestone_invoice", _("Milestone invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    RECEIPT = "receipt", _("Payment receipt")
    FORMAL_NOTICE = "formal_notice", _("Formal notice (mise en demeure)")
    RECOURSE_SUMMARY = "recourse_summary", _("Recourse summary")
    INSTALMENT_PLAN = "instalment_plan", _("Instalment plan")


class IssuedDocumentQuerySet(OwnedQuerySet):
    def delete(self):
        # A queryset's delete skips IssuedDocument.delete(): refuse it the same way.
        raise ImmutableRecord("Issued documents are records kept for their legal retention "
                              "and cannot be deleted.")

    delete.queryset_only = True


class IssuedDocument(OwnedModel):
    """A generated document, kept as issued: insert-only.

    It records what it was made from (template name and SHA-256, the canonical JSON snapshot
    of the engagement) and the SHA-256 of each file, so it can be shown again byte for byte
    and regenerated from its snapshot. Files are stored under their own SHA-256, so identical
    documents share one file.
    """

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    template_name = models.CharField(_("template"), max_length=200)
    template_sha256 = models.CharField(_("template SHA-256"), max_length=64)
    snapshot = models.JSONField(_("engagement snapshot"))
    # SHA-256 of (kind, language, template SHA-256, snapshot): identical inputs, same files.
    cache_key = models.CharField(_("content key"), max_length=64, db_index=True)
    docx = models.FileField(_("DOCX file"), max_length=200, storage=get_storage)
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64)
    pdf = models.FileField(_("PDF file"), max_length=200, storage=get_storage)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    # The invoice, receipt or credit note this document prints. The invoice record is complete
    # (number, figures, hash) when it is inserted; its document is made afterwards, in a task,
    # and points back to it: the invoice row is never updated, and the unique key makes one
    # document per invoice however often (or however concurrently) the task runs.
    invoice = models.OneToOneField(
        "terms_kit.Invoice", verbose_name=_("invoice"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="issued_document",
    )

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.engagement} ({self.language})"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecord(f"Issued document {self.pk} is a record and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"Issued document {self.pk} is a record and cannot be deleted.")


class DocumentRequest(OwnedModel):
    """A request to generate documents in the background, and how it went (for the admin)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="document_requests",
    )
    kinds = models.JSONField(_("kinds"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    # When a worker took it: a request still running long after this was taken by a worker
    # that died (killed, out of memory, lost node) and is queued again (services/documents.py).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    documents = models.ManyToManyField(
        IssuedDocument, verbose_name=_("documents"), blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.engagement} · {', '.join(self.kinds)} ({self.get_state_display()})"


def _template_upload_path(instance, filename):
    return f"terms_kit/templates/{instance.owner_id}/{instance.kind}_{instance.language}.docx"


class ExpertTemplate(OwnedModel):
    """An expert's own DOCX template for one kind and language, used instead of the default.

    An upload that fails the template linter (code the sandbox refuses, Jinja errors, unknown
    variables) is refused with the linter's findings and nothing is stored, so neither a broken
    nor a hostile template ever reaches a render.
    """

    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    file = models.FileField(
        _("DOCX template"), upload_to=_template_upload_path, max_length=200, storage=get_storage,
        help_text=_("A .docx file with docxtpl tags; start from a default template."),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "language"], name="terms_kit_expert_template_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"

    def read(self):
        self.file.open("rb")
        try:
            self.file.seek(0)
            return self.file.read()
        finally:
            self.file.seek(0)

    def clean(self):
        from ..documents.hashing import sha256
        from ..documents.linting import lint

        super().clean()
        duplicate = type(self).objects.filter(
            owner_id=self.owner_id, kind=self.kind, language=self.language
        ).exclude(pk=self.pk)
        if self.owner_id and duplicate.exists():
            raise ValidationError({"language": _(
                "You already have a template for this document in this language: edit it.")})
        if not self.file:
            return
        content = self.read()
        report = lint(content)
        if not report.ok:
            raise ValidationError({"file": list(report.problems())})
        self.sha256 = sha256(content)
