"""The client page's online payment block: ``{% online_payment token engagement %}``.

A tag rather than view context so the client page's view stays as it is; the block renders
nothing when no provider is configured or nothing can be paid online.
"""

from django import template

from ..services.online_payments import payable_online

register = template.Library()


@register.inclusion_tag("terms_kit/client/_pay_online.html", takes_context=True)
def online_payment(context, token, engagement):
    request = context.get("request")
    notice = request.GET.get("payment", "") if request is not None else ""
    return {
        "token": token,
        "instalments": payable_online(engagement),
        "notice": notice if notice in ("done", "cancelled") else "",
        "csrf_token": context.get("csrf_token"),
    }
