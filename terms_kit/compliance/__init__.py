"""The compliance checker: French rules for quotes, terms of sale, invoices and consents.

``check_spec(spec)`` / ``check_engagement(engagement)`` return ``Finding`` objects (rule id,
severity, field, message, source); ``has_blocking_errors`` says whether sending is allowed,
``findings_under`` keeps the findings of one part of the spec (one wizard step) and
``ensure_sendable(engagement)`` raises ``NotSendable`` for the send action.
"""

from .checker import (
                      MISSING_PARAMETER_ID,
                      NotSendable,
                      check_engagement,
                      check_spec,
                      ensure_sendable,
                      findings_under,
                      has_blocking_errors,
)
from .params import MissingParameter
from .registry import RULES, Finding, Rule, Severity

__all__ = ["MISSING_PARAMETER_ID", "RULES", "Finding", "MissingParameter", "NotSendable", "Rule",
           "Severity", "check_engagement", "check_spec", "ensure_sendable", "findings_under",
           "has_blocking_errors"]
