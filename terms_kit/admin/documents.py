"""Admin pages for documents: ask for them (a background task), follow progress, download.

The page and the generate action are views of the engagements' viewset (``OwnedActionMixin``);
downloads need the "view" permission on engagements. Another expert's record is a 404.
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from ..documents.generation import applicable_kinds
from ..models import ConsentKind, Engagement, ExpertTemplate, IssuedDocument
from ..models.base import Language
from ..models.documents import DocumentKind
from ..permissions import policy_for
from ..services.documents import is_retryable, request_documents, retry_document_request
from ..spec import export_engagement
from ..status import Status
from ..storage import download_response
from .acceptance import viewable_engagements
from .ownership import OwnedActionMixin

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def generatable_kinds(engagement):
    """What "Generate documents" makes: previews while a draft; once sent, copies of the quote
    and terms only (e.g. in the other language). Never a certificate: one exists only as the
    record of an acceptance, so no unsigned certificate can sit above the signed one; invoices
    after sending are issued, numbered, from Payments and invoices."""
    kinds = [k for k in applicable_kinds(export_engagement(engagement)) if k != "certificate"]
    if engagement.status != Status.DRAFT:
        kinds = [k for k in kinds if k in ("quote", "terms")]
    return kinds


@dataclass
class DocumentRow:
    document: IssuedDocument
    name: str
    role: str = ""  # "signed", "sent", "issued", "superseded", "copy", "preview"
    role_label: str = ""


ROLE_LABELS = {
    "signed": gettext_lazy("Signed by the client"),
    "sent": gettext_lazy("Sent to the client"),
    "issued": gettext_lazy("Issued"),
    "superseded": gettext_lazy("Superseded"),
    "copy": gettext_lazy("Copy, not sent"),
    "preview": gettext_lazy("Preview"),
}


def document_rows(engagement):
    """Each issued document with a human name and what it is: the one signed or sent, an older
    (superseded) or newer (copy, not sent) version, a numbered invoice, or a draft preview.
    Within a kind, the document that counts comes first, then the others newest first."""
    documents = list(engagement.documents.select_related("invoice"))
    link = engagement.access_links.order_by("-created_at", "-pk").first()
    sent_ids = set(link.documents.values_list("pk", flat=True)) if link else set()
    signed_ids = set()
    acceptance = engagement.consent_records.filter(kind=ConsentKind.ACCEPTANCE).first()
    if acceptance is not None:
        payload = json.loads(acceptance.payload)
        signed_ids = {d["id"] for d in payload.get("documents", [])}
        if payload.get("method") == "paper":  # the client signed the printed quote sent
            signed_ids = sent_ids
    # An invoice's document points to the invoice (made after the commit by a task).
    invoices = {d.pk: d.invoice for d in documents if d.invoice_id is not None}
    kind_labels = dict(DocumentKind.choices)
    rows = []
    for document in documents:
        name = str(kind_labels.get(document.kind, document.kind))
        invoice = invoices.get(document.pk)
        if invoice is not None:
            name = f"{name} {invoice.number}"
            role = "issued"
        elif (document.snapshot.get("extras") or {}).get("acceptance"):
            # Made at acceptance: the certificate, and the quote with its "Bon pour accord"
            # block filled in (the copy in the signed pack).
            role = "signed"
            if document.kind == "quote":  # two signed quotes must not look the same
                name = _("%(kind)s, signed copy (“Bon pour accord” filled in)") % {"kind": name}
        elif document.kind == "certificate":
            # Made by an older version's "Generate": never the signed one.
            role = "preview" if engagement.status == Status.DRAFT else "superseded"
        elif document.pk in signed_ids:
            role = "signed"
            if document.kind == "quote":
                name = _("%(kind)s as shown and accepted") % {"kind": name}
        elif document.pk in sent_ids:
            role = "sent"
        elif engagement.status == Status.DRAFT:
            role = "preview"
        else:
            role = ""  # decided below against the one that counts
        rows.append(DocumentRow(document, name, role))
    counting = {}
    for row in rows:
        if row.role in ("signed", "sent"):
            key = (row.document.kind, row.document.language)
            counting.setdefault(key, row.document)
    for row in rows:
        if not row.role:
            current = counting.get((row.document.kind, row.document.language))
            row.role = "copy" if current is None or row.document.pk > current.pk else "superseded"
        row.role_label = ROLE_LABELS[row.role]
    order = {"signed": 0, "sent": 0, "issued": 0, "preview": 0, "copy": 1, "superseded": 2}
    kind_order = {k: i for i, k in enumerate(DocumentKind.values)}
    rows.sort(key=lambda r: (kind_order.get(r.document.kind, 99), r.document.language,
                             order[r.role], -r.document.pk))
    return rows


class EngagementDocumentsView(OwnedActionMixin, TemplateView):
    model = Engagement
    template_name = "terms_kit/admin/engagement_documents.html"

    def get_context_data(self, **kwargs):
        engagement = self.object
        requests = engagement.document_requests.all()[:10]
        kind_labels = dict(DocumentKind.choices)
        for item in requests:
            item.kind_names = [str(kind_labels.get(k, k)) for k in item.kinds]
            item.retryable = is_retryable(item)
            if item.retryable:
                item.failure = failure_message(item.kind_names)
        return super().get_context_data(
            engagement=engagement,
            requests=requests,
            in_progress=any(r.state in ("queued", "running") and not r.retryable for r in requests),
            rows=document_rows(engagement),
            generatable=[kind_labels[k] for k in generatable_kinds(engagement)],
            languages=Language.choices,
            **kwargs,
        )


class GenerateDocumentsView(OwnedActionMixin, View):
    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        engagement = self.object
        lang = request.POST.get("language") or engagement.language
        if lang not in Language.values:
            lang = engagement.language
        kinds = generatable_kinds(engagement)
        if not kinds:
            messages.info(request, _("Nothing to generate here for this engagement."))
            return redirect("terms_kit_engagement:documents", pk)
        request_documents(engagement, kinds, lang, user=request.user)
        messages.success(request,
                         _("The documents are being generated; this page will update."))
        return redirect("terms_kit_engagement:documents", pk)


def failure_message(kind_names):
    """What the expert reads on a failed request: which documents, and what to do."""
    return _("Could not be generated: %(documents)s. The document converter failed or did not "
             "answer in time, and nothing was recorded. Press “Retry”; if it fails again, ask "
             "the site's administrator to check the document converter.") % {
        "documents": ", ".join(kind_names)}


class RetryDocumentRequestView(OwnedActionMixin, View):
    """Queue a failed (or stalled) request of this engagement again."""

    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        engagement = self.object
        item = get_object_or_404(engagement.document_requests, pk=request.POST.get("request") or 0)
        if retry_document_request(item.pk, owner=engagement.owner):
            messages.success(request, _("The documents are being generated again; this page "
                                        "will update."))
        else:
            messages.info(request, _("This request is not waiting for a retry (it is queued, "
                                     "running or done)."))
        return redirect("terms_kit_engagement:documents", pk)


def download_document(request, pk, fmt):
    document = get_object_or_404(
        IssuedDocument.objects.filter(engagement__in=viewable_engagements(request.user)), pk=pk
    )
    if fmt not in CONTENT_TYPES:
        raise Http404
    stored = getattr(document, fmt)
    number = document.engagement.number or f"draft-{document.engagement_id}"
    return download_response(stored, content_type=CONTENT_TYPES[fmt],
                             filename=f"{document.kind}_{number}_{document.language}.{fmt}")




def download_expert_template(request, pk):
    """An expert's uploaded template, to its owner only (it is never under a public URL)."""
    policy = policy_for(ExpertTemplate)
    if not policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    template = get_object_or_404(policy.instances_user_has_permission_for(request.user, "view"),
                                 pk=pk)
    return download_response(template.file, content_type=CONTENT_TYPES["docx"],
                             filename=f"{template.kind}_{template.language}.docx")
