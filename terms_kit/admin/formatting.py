"""Dates, numbers and money in the admin, in the language of the user reading the page.

The admin's active language (the user's Wagtail preference, else the site's) picks the babel
locale of terms_kit/documents/formatting.py: a French expert reads 29/11/2026 16:13 and
1 500,00 €, an English one 29/11/2026, 16:13 and €1,500.00. Times are in the site's zone.
"""

from django.utils import timezone
from django.utils.translation import get_language

from ..conf import app_settings
from ..documents import formatting


def admin_language():
    lang = (get_language() or "fr")[:2]
    return lang if lang in formatting.LOCALES else "en"


def admin_date(value):
    return formatting.short_date(value, admin_language())


def admin_datetime(value):
    if not value:
        return ""
    return formatting.short_datetime(value, admin_language(), timezone.get_current_timezone())


def admin_money(value):
    return formatting.money(value, admin_language(), app_settings.CURRENCY)


def admin_number(value):
    return formatting.number(value, admin_language())
