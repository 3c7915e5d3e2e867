"""The expert's card payments page: checkouts and holds of one engagement; capture, release,
refund. Lookups go through ``owned_by(request.user)``: another expert gets a 404."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..exceptions import PaymentRefused
from ..models import Engagement, OnlineCheckout, Payment
from ..services import online_payments


def _engagement(request, pk):
    return get_object_or_404(Engagement.objects.owned_by(request.user), pk=pk)


def card_payments_view(request, pk):
    engagement = _engagement(request, pk)
    return TemplateResponse(request, "terms_kit/admin/card_payments.html", {
        "engagement": engagement,
        "checkouts": engagement.online_checkouts.select_related("instalment").order_by("-pk"),
        "payments": engagement.payments.exclude(provider_payment_id="").order_by("-pk"),
    })


def _amount(request):
    try:
        return Decimal(request.POST.get("amount", "").replace(",", ".").strip())
    except InvalidOperation as exc:
        raise PaymentRefused(_("Enter the amount in euros, e.g. 60.00."), field="amount") from exc


@require_POST
def card_action_view(request, pk, checkout_id, action):
    engagement = _engagement(request, pk)
    checkout = get_object_or_404(OnlineCheckout, engagement=engagement, pk=checkout_id)
    try:
        if action == "capture":
            online_payments.capture_hold(checkout, _amount(request), user=request.user)
            messages.success(request, _("Captured: the payment is recorded."))
        elif action == "release":
            online_payments.release_hold(checkout, user=request.user)
            messages.success(request, _("The card hold is released; nothing was taken."))
        else:
            raise PaymentRefused(_("Unknown action."))
    except PaymentRefused as exc:
        messages.error(request, str(exc))
    return redirect("terms_kit_card_payments", engagement.pk)


@require_POST
def card_refund_view(request, pk, payment_id):
    engagement = _engagement(request, pk)
    payment = get_object_or_404(Payment, engagement=engagement, pk=payment_id)
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        if not reason:
            raise PaymentRefused(_("Give the reason of the refund (it is printed on the credit "
                                   "note)."), field="reason")
        online_payments.refund_online(payment, _amount(request), reason=reason,
                                      user=request.user)
        messages.success(request, _("Refunded to the card; the credit note is issued."))
    except PaymentRefused as exc:
        messages.error(request, str(exc))
    return redirect("terms_kit_card_payments", engagement.pk)
