"""Admin actions of the acceptance feature: send to the client, revoke links, download sealed
files.

The send and revoke actions are views of the engagements' viewset (``OwnedActionMixin``):
the "change" permission on engagements, and the expert's own engagement (else 404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import View

from ..exceptions import TermsKitError
from ..models import Engagement, SealedFile
from ..permissions import policy_for
from ..services.acceptance import revoke_links, send_to_client
from ..storage import download_response
from .ownership import OwnedActionMixin


def viewable_engagements(user):
    """The engagements ``user`` may read; no "view" permission on engagements is a 403."""
    policy = policy_for(Engagement)
    if not policy.user_has_permission(user, "view"):
        raise PermissionDenied
    return policy.instances_user_has_permission_for(user, "view")


class SendToClientView(OwnedActionMixin, View):
    """The status page's "Send to client": the acceptance service runs the compliance gate."""

    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            sent = send_to_client(self.object, request.user,
                                  base_url=request.build_absolute_uri("/"))
        except TermsKitError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _(
                "Sent to %(email)s; the link is valid until %(date)s. Any earlier link no "
                "longer works.") % {"email": sent.link.email, "date": sent.link.expires_at.date()})
        return redirect("terms_kit_engagement:status", pk)


class RevokeLinksView(OwnedActionMixin, View):
    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        count = revoke_links(self.object)
        messages.success(request, _("%(count)s client link(s) revoked.") % {"count": count})
        return redirect("terms_kit_engagement:status", pk)


def sealed_download(request, pk):
    sealed = get_object_or_404(
        SealedFile.objects.filter(engagement__in=viewable_engagements(request.user)), pk=pk,
    )
    return download_response(
        sealed.pdf, content_type="application/pdf",
        filename=f"{sealed.engagement.number}-{sealed.record.kind}-sealed.pdf")
