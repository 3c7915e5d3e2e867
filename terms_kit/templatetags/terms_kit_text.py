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
