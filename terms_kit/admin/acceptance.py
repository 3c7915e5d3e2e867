"""Admin actions of the acceptance feature: send to the client, revoke links, download sealed
files.

Lookups go through ``owned_by(request.user)``: another expert gets a 404.
"""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..exceptions import TermsKitError
from ..models import Engagement, SealedFile
from ..services.acceptance import revoke_links, send_to_client


@require_POST
def send_to_client_view(request, pk):
    engagement = get_object_or_404(Engagement.objects.owned_by(request.user), pk=pk)
    try:
        sent = send_to_client(engagement, request.user, base_url=request.build_absolute_uri("/"))
    except TermsKitError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sent to %(email)s; the link is valid until %(date)s. Any "
                                    "earlier link no longer works.") % {
            "email": sent.link.email, "date": sent.link.expires_at.date()})
    return redirect("terms_kit_engagement_status", pk)


@require_POST
def revoke_links_view(request, pk):
    engagement = get_object_or_404(Engagement.objects.owned_by(request.user), pk=pk)
    count = revoke_links(engagement)
    messages.success(request, _("%(count)s client link(s) revoked.") % {"count": count})
    return redirect("terms_kit_engagement_status", pk)


def sealed_download(request, pk):
    sealed = get_object_or_404(
        SealedFile.objects.filter(engagement__in=Engagement.objects.owned_by(request.user)),
        pk=pk,
    )
    return FileResponse(
        sealed.pdf.storage.open(sealed.pdf.name, "rb"), as_attachment=True,
        content_type="application/pdf",
        filename=f"{sealed.engagement.number}-{sealed.record.kind}-sealed.pdf",
    )
