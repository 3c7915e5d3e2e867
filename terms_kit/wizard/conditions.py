"""Which questions apply to a draft, read from what it already holds.

These predicates only decide what the wizard *asks*; whether the answers are lawful is the
compliance checker's job. They are the checker's own predicates (compliance/case.py
``Regime``, with the dated figures), read from the draft's saved fields, so the wizard never
asks by a rule of its own.
"""

from ..documents import rules


def _regime(engagement):
    return rules.regime(rules.law_of(engagement))


def is_business_client(engagement):
    return _regime(engagement).is_business


def consumer_regime(engagement):
    """The consumer rules apply: a consumer, or a small business treated as one (L221-3)."""
    return _regime(engagement).is_consumer_regime


def has_withdrawal_right(engagement):
    """C. conso L221-18 (distance or off premises), C. trav. L6353-5 (self-paid training)."""
    return _regime(engagement).has_withdrawal_right


def needs_fee_agreement(engagement):
    """A lawyer always needs a written fee agreement (loi 71-1130 art. 10)."""
    return _regime(engagement).needs_fee_agreement


def needs_training_rules(engagement):
    """Training paid by an individual personally (C. trav. L6353-3 to L6353-6)."""
    return _regime(engagement).is_self_paid_training


def needs_profession_rules(engagement):
    return needs_fee_agreement(engagement) or needs_training_rules(engagement)
