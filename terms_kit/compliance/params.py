"""Figures that change over time (rates, thresholds, dates), each chosen by the document's date.

The figures live in ``params/fr.yaml`` with validity ranges and sources; a host project adds
periods (e.g. the next half-year's rate) in its own file named by the
``TERMS_KIT["COMPLIANCE_EXTRA_FIGURES"]`` setting. A missing figure for a date raises
``MissingParameter``, which the checker reports as a finding: a rule never falls back to an
older or guessed value.

The half-yearly rates (legal interest rate, ECB rate) can also be recorded from the admin by a
superuser (``HalfYearFigures``, terms_kit/admin/figures.py): a half-year the files do not cover
is looked up there, so a new Journal officiel figure needs no deploy.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ImproperlyConfigured

from ..conf import app_settings

PARAMS_PATH = Path(__file__).parent / "params" / "fr.yaml"


class MissingParameter(LookupError):
    """No figure ``name`` is valid on ``on``; ``last_known`` is the latest earlier one, if any."""

    def __init__(self, name, on, last_known=None):
        self.name, self.on, self.last_known = name, on, last_known
        super().__init__(f"No value of {name!r} is valid on {on.isoformat()}.")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date | None  # inclusive; None = until further notice
    value: object  # Decimal or date
    source: str

    def covers(self, on):
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Parameter:
    name: str
    title: str  # English
    title_fr: str
    law: str
    periods: tuple

    def title_in(self, language):
        return self.title_fr if (language or "").startswith("fr") else self.title


def _value(raw, name):
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        return Decimal(raw)
    raise ValueError(f"{name}: write values as quoted decimals or dates, not {raw!r}")


def _periods(name, entries, path):
    try:
        return [Period(start=p["from"], end=p.get("to"), value=_value(p["value"], name),
                       source=p["source"]) for p in entries]
    except (KeyError, TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"{path}: a period of {name!r} needs from (a date), value (a quoted decimal or a "
            f"date) and source ({exc!r})."
        ) from None


@cache
def load_parameters(path, extra_path=None):
    """Every parameter of ``path`` plus the periods of ``extra_path``, sorted by start date.

    Read once per pair of paths. Overlapping periods are refused: two values for one day
    would make the verdict depend on the order of the file.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    periods = {name: _periods(name, entry["periods"], path) for name, entry in data.items()}
    if extra_path:
        extra = yaml.safe_load(Path(extra_path).read_text(encoding="utf-8")) or {}
        for name, entry in extra.items():
            if name not in data:
                raise ImproperlyConfigured(
                    f"{extra_path}: terms-kit has no figure named {name!r} "
                    f"(see {PARAMS_PATH.name} for the names)."
                )
            periods[name] += _periods(name, entry["periods"], extra_path)
    parameters = {}
    for name, entry in data.items():
        ordered = tuple(sorted(periods[name], key=lambda period: period.start))
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.end is None or earlier.end >= later.start:
                raise ImproperlyConfigured(
                    f"Figure {name!r} has overlapping periods from {earlier.start} and "
                    f"{later.start}: close the earlier one (to:) before the next starts."
                )
        parameters[name] = Parameter(name, entry["title"], entry["title_fr"], entry["law"],
                                     ordered)
    return parameters


def all_parameters():
    """The shipped figures plus those of the COMPLIANCE_EXTRA_FIGURES setting."""
    return load_parameters(PARAMS_PATH, app_settings.COMPLIANCE_EXTRA_FIGURES)


# Figure name -> field of HalfYearFigures, for the figures a superuser records in the admin.
RECORDED_FIELDS = {
    "legal_interest_rate_other": "legal_rate_other",
    "legal_interest_rate_consumer": "legal_rate_consumer",
    "ecb_reference_rate": "ecb_rate",
}


def half_year_bounds(on):
    """(first day, last day) of the half-year of date ``on``."""
    if on.month <= 6:
        return datetime.date(on.year, 1, 1), datetime.date(on.year, 6, 30)
    return datetime.date(on.year, 7, 1), datetime.date(on.year, 12, 31)


def recorded_periods(name):
    """The periods of ``name`` recorded in the admin, oldest first.

    Without a usable database (a command run before ``migrate``, a test without database
    access) there is none: the rule then reports the figure as missing, never a guess.
    """
    field = RECORDED_FIELDS.get(name)
    if field is None:
        return ()
    from django.db import DatabaseError

    from ..models import HalfYearFigures

    try:
        rows = list(HalfYearFigures.objects.order_by("half_year_start"))
    except (DatabaseError, RuntimeError):  # RuntimeError: database access blocked (tests)
        return ()
    return tuple(
        Period(start=row.half_year_start, end=half_year_bounds(row.half_year_start)[1],
               value=getattr(row, field),
               source=f"{row.source} ({row.published_on.isoformat()})")
        for row in rows
    )


def periods_of(name):
    """Every period of ``name``: the files' and the recorded ones, by start date."""
    return tuple(sorted(all_parameters()[name].periods + recorded_periods(name),
                        key=lambda candidate: candidate.start))


def period(name, on):
    """The period of parameter ``name`` that covers date ``on``, or ``MissingParameter``.

    The files' periods first; a date they do not cover is looked up in the figures recorded
    from the admin (half-yearly rates only).
    """
    parameter = all_parameters()[name]
    last_known = None
    for candidate in parameter.periods:
        if candidate.covers(on):
            return candidate
        if candidate.start <= on:
            last_known = candidate
    for candidate in recorded_periods(name):
        if candidate.covers(on):
            return candidate
        if candidate.start <= on and (last_known is None or candidate.start > last_known.start):
            last_known = candidate
    raise MissingParameter(name, on, last_known)


def value(name, on):
    return period(name, on).value
