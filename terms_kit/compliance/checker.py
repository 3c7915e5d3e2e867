"""Run every registered rule over one engagement and collect the findings.

A figure missing for the document's date (``MissingParameter``) becomes a ``params.missing``
warning on the field the rule is about: the expert learns that this point could not be
checked and why, instead of a verdict computed from a guessed rate. It is a warning, not an
error, because a late Journal officiel must not stop every expert from sending quotes; the
message gives the last confirmed figure so the expert can judge.

It is only raised when the figure is needed to decide: a B2B quote with no penalty rate is an
error whatever the floor, a consumer quote never asks for the floor, and a penalty rate under
any plausible floor (0 %, or under 3 × the lowest legal rate of the last ten years) is an
error even while the new figure is missing (rules/b2b.py ``plausible_floor``). A rate above
that is not judged against a guessed figure.

The message speaks to the expert (what to do: check the rate, ask the site administrator to
record the figure in the admin); the hint for developers (setting, file, docs) goes to the log.
"""

import logging
from decimal import InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..exceptions import TermsKitError
from ..spec import export_engagement
from . import rules  # noqa: F401  (registers the rules)
from .case import build_case
from .formatting import day, figure
from .params import MissingParameter, all_parameters
from .registry import RULES, Finding, Severity

MISSING_PARAMETER_ID = "params.missing"

logger = logging.getLogger(__name__)


def check_spec(spec, on=None):
    """Findings for an engagement spec dict of valid shape, most severe first.

    ``on`` is the date whose figures (rates, thresholds) apply; it defaults to the
    engagement's issue date, or today when the spec has none.
    """
    try:
        case = build_case(spec, on)
    except MissingParameter as exc:
        return [_missing(exc, "engagement.issue_date", None)]
    except InvalidOperation:
        # Amounts beyond Decimal's precision: no rule can be decided on such a quote.
        lines_rule = RULES["data.lines"]
        return [Finding(lines_rule.id, lines_rule.severity, "engagement.lines", _(
            "The quantities, prices or rates of the lines are too large to compute a total: "
            "check the lines for a typing error."), lines_rule.source)]
    findings = []
    for rule in RULES.values():
        try:
            for field, message in rule.check(case):
                findings.append(Finding(rule.id, rule.severity, field, message, rule.source))
        except MissingParameter as exc:
            findings.append(_missing(exc, rule.field, rule))
    findings.sort(key=lambda finding: (finding.severity.rank, finding.field, finding.rule_id))
    return findings


def check_engagement(engagement, on=None):
    """Findings for a saved engagement (the same code path as a spec file)."""
    return check_spec(export_engagement(engagement), on)


class NotSendable(TermsKitError):
    """An engagement with error findings; ``findings`` lists them all."""

    def __init__(self, findings):
        self.findings = list(findings)
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        lines = "\n".join(f"  {f.field}: {f.message} ({f.rule_id})" for f in errors)
        super().__init__(f"The engagement cannot be sent:\n{lines}")


def ensure_sendable(engagement, on=None):
    """Raise ``NotSendable`` when the engagement has an error; return the findings otherwise.

    The send action calls this right before sending, so nothing unlawful leaves.
    """
    findings = check_engagement(engagement, on)
    if has_blocking_errors(findings):
        raise NotSendable(findings)
    return findings


def has_blocking_errors(findings):
    """True when at least one finding forbids sending the engagement."""
    return any(finding.severity is Severity.ERROR for finding in findings)


def findings_under(findings, prefix):
    """The findings about spec path ``prefix`` or anything inside it (one wizard step)."""
    return [
        finding for finding in findings
        if finding.field == prefix or finding.field.startswith((prefix + ".", prefix + "["))
    ]


def _missing(exc, field, rule):
    parameter = all_parameters()[exc.name]
    logger.warning(
        "Figure %s is missing for %s (rule %s): a superuser records the half-year in the admin "
        "(Settings > Official figures), or add a period to TERMS_KIT['COMPLIANCE_EXTRA_FIGURES'] "
        "(docs/compliance.md).", exc.name, exc.on.isoformat(), rule.id if rule else "-")
    message = _(
        "The official figure “%(figure)s” for %(date)s has not been recorded yet, so this point "
        "could not be checked. Check it yourself against the official value, and ask your site "
        "administrator to record the new figure (Settings › Official figures)."
    ) % {
        "figure": parameter.title_in(get_language()),
        "date": day(exc.on),
    }
    if exc.last_known is not None:
        message += " " + _("Last confirmed figure: %(value)s (%(source)s).") % {
            "value": figure(exc.last_known.value),
            "source": exc.last_known.source,
        }
    return Finding(MISSING_PARAMETER_ID, Severity.WARNING, field, message, parameter.law)
