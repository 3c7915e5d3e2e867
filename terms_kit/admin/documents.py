"""Admin pages for documents: ask for them (a background task), follow progress, download.

Every lookup goes through ``owned_by(request.user)``: another expert gets a 404.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from ..documents.generation import applicable_kinds
from ..models import Engagement, ExpertTemplate, IssuedDocument
from ..models.base import Language
from ..services.documents import request_documents
from ..spec import export_engagement

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class EngagementDocumentsView(TemplateView):
    template_name = "terms_kit/admin/engagement_documents.html"

    def get_context_data(self, **kwargs):
        engagement = get_object_or_404(
            Engagement.objects.owned_by(self.request.user), pk=self.kwargs["pk"]
        )
        requests = engagement.document_requests.all()[:10]
        return super().get_context_data(
            engagement=engagement,
            requests=requests,
            in_progress=any(r.state in ("queued", "running") for r in requests),
            documents=engagement.documents.all(),
            languages=Language.choices,
            **kwargs,
        )


@require_POST
def generate_documents_view(request, pk):
    engagement = get_object_or_404(Engagement.objects.owned_by(request.user), pk=pk)
    lang = request.POST.get("language") or engagement.language
    if lang not in Language.values:
        lang = engagement.language
    request_documents(engagement, applicable_kinds(export_engagement(engagement)), lang,
                      user=request.user)
    messages.success(request, _("The documents are being generated; this page will update."))
    return redirect("terms_kit_engagement_documents", pk)


def download_document(request, pk, fmt):
    document = get_object_or_404(IssuedDocument.objects.owned_by(request.user), pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    stored = getattr(document, fmt)
    number = document.engagement.number or f"draft-{document.engagement_id}"
    return FileResponse(
        stored.open("rb"), as_attachment=True, content_type=CONTENT_TYPES[fmt],
        filename=f"{document.kind}_{number}_{document.language}.{fmt}",
    )




def download_expert_template(request, pk):
    """An expert's uploaded template, to its owner only (it is never under a public URL)."""
    template = get_object_or_404(ExpertTemplate.objects.owned_by(request.user), pk=pk)
    return FileResponse(
        template.file.storage.open(template.file.name, "rb"), as_attachment=True,
        content_type=CONTENT_TYPES["docx"],
        filename=f"{template.kind}_{template.language}.docx",
    )
