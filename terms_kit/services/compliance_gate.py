"""The compliance gate of sending: no error left, every warning acknowledged.

``send_to_client`` runs it on the locked draft, so the wizard, the admin's status page, the
``termskit send`` command and any future caller go through the same gate.
"""

from ..compliance import check_engagement
from ..exceptions import SendBlocked


def unacknowledged_warnings(engagement, warnings):
    """The warnings whose rule and field have no acknowledgement yet.

    Matched on rule and field, not on the wording: the message is written in the reader's
    language, and the stored acknowledgement keeps the exact text that was read.
    """
    done = set(engagement.warning_acknowledgements.values_list("rule_id", "field"))
    return [w for w in warnings if (w.rule_id, w.field or "") not in done]


def ensure_sendable(engagement):
    """Raise ``SendBlocked`` (which lists what to do) unless the engagement may be sent."""
    findings = check_engagement(engagement)
    errors = [f for f in findings if f.severity == "error"]
    pending = unacknowledged_warnings(engagement, [f for f in findings if f.severity == "warning"])
    if errors or pending:
        raise SendBlocked(errors, pending)
    return findings
