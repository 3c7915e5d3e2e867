"""The compliance checker: French rules for quotes, terms of sale, invoices and consents.

``check_spec(spec)`` / ``check_engagement(engagement)`` return ``Finding`` objects (rule id,
severity, field, message, source); ``has_blocking_errors`` says whether sending is allowed and
``findings_under`` keeps the findings of one part of the spec (one wizard step).
"""

from .checker import (
                      MISSING_PARAMETER_ID,
                      check_engagement,
                      check_spec,
                      findings_under,
                      has_blocking_errors,
)
from .params import MissingParameter
from .registry import RULES, Finding, Rule, Severity

__all__ = ["MISSING_PARAMETER_ID", "RULES", "Finding", "MissingParameter", "Rule", "Severity",
           "check_engagement", "check_spec", "findings_under", "has_blocking_errors"]
