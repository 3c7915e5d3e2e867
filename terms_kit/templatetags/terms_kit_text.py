"""Small text helpers shared by the admin and client templates."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def tk_colon(label):
    """``label`` followed by a colon spaced as the language wants: "Total:" in English,
    "Total :" (no-break space) in French. A colon typed after a translated word in a template
    is always English-spaced; this puts the spacing in the catalogue."""
    return gettext("%(label)s:") % {"label": label}


def _message_kinds():
    from django.utils.translation import gettext_lazy as _

    from ..models.dunning import StepKind

    return {
        **dict(StepKind.choices),
        "link": _("Link to the quote"),
        "code": _("Confirmation code"),
        "accepted": _("Signed copy"),
        "withdrawn": _("Withdrawal receipt"),
        "invoice": _("Invoice"),
        "payment_received": _("Payment received"),
        "work_may_start": _("Work may start"),
        "plan_offer": _("Instalment plan offered"),
        "plan_accepted": _("Instalment plan accepted"),
        "plan_missed": _("Instalment plan missed"),
        "recourse": _("Recovery file"),
        "checkpoint": _("Evidence checkpoint"),
    }


@register.filter
def tk_message_kind(kind):
    """What a recorded e-mail was, in words (the stored kind is a code: "link", "reminder_1")."""
    return _message_kinds().get(kind, str(kind).replace("_", " "))
