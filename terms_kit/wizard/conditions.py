"""Which questions apply to a draft, read from what it already holds.

These predicates only decide what the wizard *asks*; whether the answers are lawful is the
compliance checker's job. Each one names the rule that makes the question relevant.
"""

from ..models.client import ClientKind
from ..models.engagement import Channel
from ..models.identity import Profession

# C. conso L221-3: a business of at most 5 employees buying off premises something outside
# its main activity is protected like a consumer.
SMALL_BUSINESS_MAX_EMPLOYEES = 5


def is_business_client(engagement):
    return engagement.client.kind == ClientKind.BUSINESS


def consumer_regime(engagement):
    """The consumer rules apply: a consumer, or a small business treated as one (L221-3)."""
    client = engagement.client
    if client.kind == ClientKind.CONSUMER:
        return True
    return (
        engagement.channel == Channel.OFF_PREMISES
        and client.headcount is not None
        and client.headcount <= SMALL_BUSINESS_MAX_EMPLOYEES
        and client.outside_core_activity
    )


def has_withdrawal_right(engagement):
    """A distance or off-premises contract under the consumer rules (C. conso L221-18)."""
    return consumer_regime(engagement) and engagement.channel in (
        Channel.DISTANCE, Channel.OFF_PREMISES
    )


def needs_fee_agreement(engagement):
    """A lawyer always needs a written fee agreement (loi 71-1130 art. 10)."""
    return engagement.identity.profession == Profession.LAWYER


def needs_training_rules(engagement):
    """Training paid by an individual personally (C. trav. L6353-3 to L6353-6)."""
    return (
        engagement.identity.profession == Profession.TRAINING
        and engagement.client.kind == ClientKind.CONSUMER
    )


def needs_profession_rules(engagement):
    return needs_fee_agreement(engagement) or needs_training_rules(engagement)
