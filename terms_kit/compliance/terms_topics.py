"""Topics a terms version must cover before it is published, by kind of client.

The compliance checker proper reads an engagement; a terms version built from clauses is
checked here, on its list of topics, with the same ``Finding`` shape so the admin shows it the
same way. Each required topic names the article that asks for it (see fr-rules.md).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..exceptions import TermsKitError
from .registry import Finding, Severity

# audience -> [(topic, rule id, article, why)]
REQUIRED_TOPICS = {
    "business": [
        ("payment_terms", "terms.topic.payment_terms", "C. com. L441-1, L441-10 I",
         _lazy("terms of sale for businesses must state the payment conditions")),
        ("penalties", "terms.topic.penalties", "C. com. L441-10 II; D441-5",
         _lazy("the late payment penalty rate and the 40 € fixed recovery indemnity must be "
               "stated")),
    ],
    "consumer": [
        ("withdrawal", "terms.topic.withdrawal", "C. conso L221-5, L221-18",
         _lazy("a consumer contract made at a distance or off premises must state the right "
               "of withdrawal, its conditions, time limit and form")),
        ("mediator", "terms.topic.mediator", "C. conso L612-1, L616-1",
         _lazy("the consumer mediator's name and contact details must be given")),
    ],
}


class NotPublishable(TermsKitError):
    """A built terms version that misses a required topic; ``findings`` says which."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__(" ".join(finding.message for finding in self.findings))


def topic_findings(audience, topics):
    """An error finding for each required topic of ``audience`` missing from ``topics``."""
    from ..models.clauses import Topic

    labels = dict(Topic.choices)
    present = set(topics)
    findings = []
    for topic, rule_id, article, why in REQUIRED_TOPICS.get(audience, []):
        if topic not in present:
            findings.append(Finding(rule_id, Severity.ERROR, f"terms.topics.{topic}", _(
                "The version cannot be published without a clause on “%(topic)s” (%(article)s): "
                "%(why)s. Add a clause of that topic to the version.") % {
                "topic": labels[topic], "article": article, "why": why}, article))
    return findings
