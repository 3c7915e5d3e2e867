"""Figures that change over time (rates, thresholds, dates), each chosen by the document's date.

The figures live in ``params/fr.yaml`` with validity ranges and sources. A missing figure for
a date raises ``MissingParameter``, which the checker reports as a finding: a rule never
falls back to an older or guessed value.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

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


@cache
def load_parameters(path):
    """Every parameter of a data file, periods sorted by start date (read once per path)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    parameters = {}
    for name, entry in data.items():
        periods = tuple(sorted(
            (Period(start=p["from"], end=p.get("to"), value=_value(p["value"], name),
                    source=p["source"]) for p in entry["periods"]),
            key=lambda period: period.start,
        ))
        parameters[name] = Parameter(name, entry["title"], entry["title_fr"], entry["law"], periods)
    return parameters


def all_parameters():
    """The parameters of the data file in use (``PARAMS_PATH``, which tests may point elsewhere)."""
    return load_parameters(PARAMS_PATH)


def period(name, on):
    """The period of parameter ``name`` that covers date ``on``, or ``MissingParameter``."""
    parameter = all_parameters()[name]
    last_known = None
    for candidate in parameter.periods:
        if candidate.covers(on):
            return candidate
        if candidate.start <= on:
            last_known = candidate
    raise MissingParameter(name, on, last_known)


def value(name, on):
    return period(name, on).value
