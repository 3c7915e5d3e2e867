"""Formatting for the wizard's pages: money and dates by babel in the admin's language."""

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, to_locale

from ..conf import app_settings

register = template.Library()


def _locale():
    return to_locale(get_language() or "fr")


@register.filter
def money(amount):
    if amount is None or amount == "":
        return ""
    return format_currency(amount, app_settings.CURRENCY, locale=_locale())


@register.filter
def number(value):
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=_locale())


@register.filter
def longdate(value):
    if not value:
        return ""
    return format_date(value, format="long", locale=_locale())


@register.filter
def terms_body(text):
    """Terms of sale text as HTML: a line starting with "#" is a title, others paragraphs."""
    parts = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("#"):
            parts.append(("h4", line.lstrip("# ")))
        elif line:
            parts.append(("p", line))
    return format_html_join("", "<{0}>{1}</{0}>", parts) if parts else format_html("")
