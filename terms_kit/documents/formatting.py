"""Babel formatting for documents: money, dates, percentages and numbers in the document's language.

The functions take the document language explicitly (never Django's active language), so a
document renders the same whatever request or worker produces it. French output uses the
narrow no-break space (U+202F) as thousands separator, as babel does.
"""

import datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale(lang):
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(
            f"No document locale for language {lang!r}; use one of {sorted(LOCALES)}."
        ) from None


def _decimal(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


def money(value, lang, currency="EUR"):
    """12 345,50 € (fr) / €12,345.50 (en). Empty for a missing amount."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=_locale(lang))


def number(value, lang):
    """A quantity with no trailing zeros: 1; 1,5 (fr) / 1.5 (en)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return format_decimal(amount.normalize(), locale=_locale(lang), decimal_quantization=False)


def percent(value, lang):
    """A rate already expressed in percent ("12.15" -> 12,15 % / 12.15%)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    figure = format_decimal(amount.normalize(), locale=_locale(lang), decimal_quantization=False)
    # French typography puts a no-break space before %, English none.
    return f"{figure}\u00a0%" if lang == "fr" else f"{figure}%"


def date(value, lang):
    """23 novembre 2026 / 23 November 2026. Accepts a date or an ISO string."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return format_date(value, "long", locale=_locale(lang))


def short_date(value, lang):
    """29/11/2026 in both languages (en_GB and fr_FR agree); for tables and lists."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        value = value.date()
    return format_date(value, "short", locale=_locale(lang))


def short_datetime(value, lang, tzinfo=None):
    """29/11/2026 16:13 (fr) / 29/11/2026, 16:13 (en), in ``tzinfo`` (the value's own if None)."""
    if not value:
        return ""
    if tzinfo is not None and value.tzinfo is not None:
        value = value.astimezone(tzinfo)
    return format_datetime(value, "short", locale=_locale(lang))


def filters_for(lang):
    """The Jinja filters of one document language (registered by rendering.py)."""
    return {
        "money": lambda value, currency="EUR": money(value, lang, currency),
        "number": lambda value: number(value, lang),
        "percent": lambda value: percent(value, lang),
        "date": lambda value: date(value, lang),
        "short_date": lambda value: short_date(value, lang),
    }
