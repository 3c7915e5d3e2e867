"""Record a half-year's official figures (legal interest rate, ECB rate) from the admin.

Only a superuser records them: the figures decide every expert's compliance verdicts and late
interest. Each record is checked whole before anything is stored: a half-year starting on
1 January or 1 July, not already covered (by the shipped figures, the host project's file or
an earlier record), rates within a plausible range, a source and its date. A refused record
stores nothing; the message says which field and what to do.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..compliance import params
from ..compliance.formatting import day
from ..exceptions import TermsKitError
from ..models import HalfYearFigures

# Plausible ranges, wide enough for any rate seen since the euro and narrow enough to catch a
# typing error (a rate typed per mille, or as 267 for 2.67). Legal rates have always been
# positive; the ECB main refinancing rate has been 0 (2016-2022), never negative.
LEGAL_RANGE = (Decimal("0.01"), Decimal("30"))
ECB_RANGE = (Decimal("0"), Decimal("20"))


class FigureRefused(TermsKitError):
    """The record cannot be stored; ``errors`` maps each field to its message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def _check_rate(errors, field, value, bounds, label):
    low, high = bounds
    if value is None:
        errors[field] = _("Enter the %(label)s in %% (for example 2.62).") % {"label": label}
    elif not low <= value <= high:
        errors[field] = _(
            "%(value)s %% is outside the plausible range for the %(label)s (%(low)s to "
            "%(high)s %%): check for a typing error (the rate is written in %%, e.g. 2.62)."
        ) % {"value": value, "label": label, "low": low, "high": high}


def covered_half_year(start):
    """The period already covering half-year ``start`` for one of its figures, or None."""
    for name in params.RECORDED_FIELDS:
        try:
            return params.period(name, start)
        except params.MissingParameter:
            continue
    return None


def record_half_year(user, *, half_year_start, legal_rate_other, legal_rate_consumer, ecb_rate,
                     source, published_on):
    """Store one half-year's figures, or raise ``FigureRefused`` and store nothing."""
    if not getattr(user, "is_superuser", False):
        raise PermissionError("Only a superuser records official figures.")
    errors = {}
    source = (source or "").strip()
    if half_year_start is None:
        errors["half_year_start"] = _("Choose the half-year (1 January or 1 July).")
    elif (half_year_start.month, half_year_start.day) not in ((1, 1), (7, 1)):
        errors["half_year_start"] = _(
            "A half-year starts on 1 January or 1 July, not on %(date)s: choose its first day."
        ) % {"date": day(half_year_start)}
    else:
        covering = covered_half_year(half_year_start)
        if covering is not None:
            errors["half_year_start"] = _(
                "The half-year starting on %(date)s is already recorded (source: %(source)s). "
                "Recorded figures are never changed: if that record is wrong, contact the "
                "terms-kit maintainers."
            ) % {"date": day(half_year_start), "source": covering.source}
    _check_rate(errors, "legal_rate_other", legal_rate_other, LEGAL_RANGE,
                _("legal interest rate, creditor other than a consumer"))
    _check_rate(errors, "legal_rate_consumer", legal_rate_consumer, LEGAL_RANGE,
                _("legal interest rate, creditor who is a consumer"))
    _check_rate(errors, "ecb_rate", ecb_rate, ECB_RANGE, _("ECB main refinancing rate"))
    if len(source) < 8:
        errors["source"] = _(
            "Give the source: the Journal officiel reference of the arrêté (e.g. “Arrêté du "
            "15 décembre 2025, JORF n° 0302 du 26 décembre 2025”) and the ECB decision, or "
            "their URLs.")
    if published_on is None:
        errors["published_on"] = _("Enter the date of the source (publication in the Journal "
                                   "officiel).")
    elif published_on > timezone.localdate():
        errors["published_on"] = _("The date of the source cannot be in the future.")
    elif half_year_start is not None and published_on > half_year_start + datetime.timedelta(
            days=184):
        errors["published_on"] = _(
            "The source is dated after the end of the half-year: check the half-year and the "
            "date.")
    if errors:
        raise FigureRefused(errors)
    label = user.get_full_name() or user.get_username()
    try:
        with transaction.atomic():
            return HalfYearFigures.objects.create(
                half_year_start=half_year_start, legal_rate_other=legal_rate_other,
                legal_rate_consumer=legal_rate_consumer, ecb_rate=ecb_rate, source=source,
                published_on=published_on, recorded_by=user, recorded_by_label=label)
    except IntegrityError:
        # Two superusers at once: the unique half-year lets only one record in.
        raise FigureRefused({"half_year_start": _(
            "The half-year starting on %(date)s has just been recorded by someone else."
        ) % {"date": day(half_year_start)}}) from None
