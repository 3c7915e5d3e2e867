"""Admin pages for documents: ask for them (a background task), follow progress, download.

The page and the generate action are views of the engagements' viewset (``OwnedActionMixin``);
downloads need the "view" permission on engagements. Another expert's record is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from ..documents.generation import applicable_kinds
from ..models import Engagement, ExpertTemplate, IssuedDocument
from ..models.base import Language
from ..permissions import policy_for
from ..services.documents import request_documents
from ..spec import export_engagement
from ..storage import download_response
from .acceptance import viewable_engagements
from .ownership import OwnedActionMixin

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class EngagementDocumentsView(OwnedActionMixin, TemplateView):
    model = Engagement
    template_name = "terms_kit/admin/engagement_documents.html"

    def get_context_data(self, **kwargs):
        engagement = self.object
        requests = engagement.document_requests.all()[:10]
        return super().get_context_data(
            engagement=engagement,
            requests=requests,
            in_progress=any(r.state in ("queued", "running") for r in requests),
            documents=engagement.documents.all(),
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
        request_documents(engagement, applicable_kinds(export_engagement(engagement)), lang,
                          user=request.user)
        messages.success(request,
                         _("The documents are being generated; this page will update."))
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
