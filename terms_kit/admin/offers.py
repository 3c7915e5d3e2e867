"""The expert's check of an offer page: what the checker says of a booking by a private person
and by a business, and the button that acknowledges the warnings (bookings need it).

Only the page's expert (or a superuser) may see or acknowledge; anyone else gets a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import OfferPage
from ..services import bookings


@require_http_methods(["GET", "POST"])
def offer_check_view(request, page_id):
    offer = get_object_or_404(OfferPage, pk=page_id)
    if not (request.user.is_superuser or offer.expert_id == request.user.pk):
        raise Http404
    if request.method == "POST":
        done = bookings.acknowledge_offer_warnings(offer, request.user)
        messages.success(request, _("%(count)s warning(s) acknowledged: bookings of this offer "
                                    "may go through.") % {"count": len(done)})
        return redirect("terms_kit_offer_check", page_id)
    from ..services.compliance_gate import unacknowledged_warnings

    kinds = []
    for kind in bookings.offer_kinds(offer):
        findings = bookings.offer_findings(offer, kind)
        template = offer.template_engagement
        warnings = [f for f in findings or () if f.severity == "warning"]
        kinds.append({
            "kind": kind, "unusable": findings is None,
            "errors": [f for f in findings or () if f.severity == "error"],
            "warnings": warnings,
            "pending": unacknowledged_warnings(template, warnings) if template else warnings,
        })
    return render(request, "terms_kit/admin/offer_check.html", {
        "offer": offer, "kinds": kinds, "page_title": _("Check the offer"),
        "header_title": _("Check the offer: %(title)s") % {"title": offer.title},
        "any_pending": any(k["pending"] for k in kinds)})
