"""Money and dates on the admin's payment pages, in the user's language (babel, like the
documents): ``{{ amount|ui_money }}`` gives 14 400,00 € (fr) or €14,400.00 (en),
``{{ date|ui_date }}`` 29/11/2026. The language is the request's active one (the Wagtail
user's preference, else the browser's)."""

import datetime

from babel.dates import format_date
from django import template
from django.utils import translation

from ..documents.formatting import LOCALES
from ..documents.formatting import money as format_money

register = template.Library()


def ui_language():
    lang = (translation.get_language() or "en")[:2]
    return lang if lang in LOCALES else "en"


@register.filter
def ui_money(value):
    if value is None or value == "":
        return ""
    return format_money(value, ui_language())


@register.filter
def ui_date(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return format_date(value, "short", locale=LOCALES[ui_language()])
