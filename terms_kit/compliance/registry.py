"""The rule registry: every compliance rule is a small pure function registered with ``@rule``.

A rule receives a ``Case`` (the read-only view of one engagement) and yields
``(field, message)`` pairs, one per problem found; ``field`` is the spec path the expert must
change and ``message`` (translated at check time) says what is wrong and how to fix it.
"""

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks sending
    WARNING = "warning"  # the expert should look, sending is allowed
    INFO = "info"  # what the law makes happen, nothing to fix

    @property
    def rank(self):
        return ("error", "warning", "info").index(self.value)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    source: str  # the article(s) of law, e.g. "C. com. L441-10 I"
    title: str  # what it checks (lazy translation)
    field: str  # the spec path it is mainly about (where a missing figure is reported)
    check: object  # callable(case) -> iterable of (field, message)
    family: str  # the module of rules/ it lives in
    # The key of Regime.mentions() the documents print when this rule applies (None: no
    # printed mention); tests/integration/test_legal_mentions.py checks each one.
    mention: str | None = None


RULES = {}


def rule(rule_id, severity, source, title, field, mention=None):
    """Register the decorated function as rule ``rule_id``."""

    def register(function):
        if rule_id in RULES:
            raise ValueError(f"Two compliance rules have the id {rule_id!r}.")
        family = function.__module__.rsplit(".", 1)[-1]
        RULES[rule_id] = Rule(rule_id, Severity(severity), source, title, field, function, family,
                              mention)
        return function

    return register


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    field: str
    message: str
    source: str

    def to_dict(self):
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "field": self.field,
            "message": self.message,
            "source": self.source,
        }
