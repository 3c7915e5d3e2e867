"""Numbers and dates in messages, written the way the reader's language writes them (babel)."""

import datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils.translation import get_language, to_locale


def _locale():
    return to_locale(get_language() or "fr")


def number(value):
    """7.86 -> "7,86" in French, "7.86" in English; 41250 -> "41 250" / "41,250"."""
    return format_decimal(value, locale=_locale())


def day(value):
    """A date in full: "23 novembre 2026" / "November 23, 2026"."""
    return format_date(value, format="long", locale=_locale())


def figure(value):
    """A figure of the parameters file: a date or a number."""
    return day(value) if isinstance(value, datetime.date) else number(value)
