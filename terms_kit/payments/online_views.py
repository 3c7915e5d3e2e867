"""Public payment endpoints: the client's "Pay" button and the provider's webhook. Thin."""

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..acceptance.ratelimit import rate_limited
from ..acceptance.views import with_link
from ..exceptions import PaymentRefused
from ..services import online_payments
from . import webhooks
from .providers import InvalidWebhook, ProviderError, get_provider

logger = logging.getLogger("terms_kit.payments")


@rate_limited("pay")
@require_POST
@with_link
def pay_view(request, token, link, instalment_id):
    """Open the provider's payment page for one instalment and send the browser there."""
    page = request.build_absolute_uri(reverse("terms_kit:client_review", args=[token]))
    try:
        checkout = online_payments.start_checkout(
            link.engagement, instalment_id,
            success_url=f"{page}?payment=done#pay", cancel_url=f"{page}?payment=cancelled#pay",
            email=link.email, language=link.language,
        )
    except (PaymentRefused, ProviderError) as exc:
        logger.warning("Checkout for engagement %s refused: %s", link.engagement_id, exc)
        messages.error(request, str(exc) if isinstance(exc, PaymentRefused) else _(
            "The payment page could not be opened. Try again in a few minutes."))
        return redirect("terms_kit:client_review", token)
    return redirect(checkout.url)


@csrf_exempt
@require_POST
def webhook_view(request, provider_name):
    """The provider's webhook: 400 when not signed by it, 200 once handled or ignored."""
    provider = get_provider()
    if provider is None or provider.name != provider_name:
        raise Http404
    try:
        outcomes = webhooks.handle_request(provider, request.body, request.headers)
    except InvalidWebhook as exc:
        logger.warning("%s webhook refused: %s", provider_name, exc)
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    except (DatabaseError, ProviderError):
        # Worth a retry: the provider delivers the event again later.
        logger.exception("%s webhook not handled (database or provider API); the provider "
                         "will retry", provider_name)
        return HttpResponse("try again later", status=503, content_type="text/plain")
    return HttpResponse("\n".join(f"{o.event_id} {o.result}" for o in outcomes),
                        content_type="text/plain")
