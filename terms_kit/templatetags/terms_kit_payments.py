"""Card payment on the client page, when a provider is configured:
``{% online_payment_notice %}`` (back from the provider's page) and
``{% pay_button token instalment %}`` (in terms_kit/client/_online_payment.html, per open
instalment). Tags rather than view context, so the client page's view stays as it is; both
render nothing without a provider.
"""

from django import template

from ..payments.providers import get_provider
from ..services.online_payments import payable_online

register = template.Library()


@register.inclusion_tag("terms_kit/client/_pay_notice.html", takes_context=True)
def online_payment_notice(context):
    request = context.get("request")
    notice = request.GET.get("payment", "") if request is not None else ""
    return {"notice": notice if notice in ("done", "cancelled") and get_provider() else ""}


@register.inclusion_tag("terms_kit/client/_pay_button.html", takes_context=True)
def pay_button(context, token, instalment):
    payable = instalment in payable_online(instalment.engagement)
    return {"token": token, "instalment": instalment if payable else None,
            "csrf_token": context.get("csrf_token")}
