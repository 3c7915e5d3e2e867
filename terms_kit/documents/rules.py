"""Which mandatory mentions apply to an engagement: the checker's view decides.

The documents, the consent screens and the payment services ask these questions with a spec
dict (or the few spec fields ``law_of`` reads from a saved engagement); the answers come from
``terms_kit.compliance.case.Regime``, the same object the compliance rules read, with the
figures of the document's date (14 or 10 days, 5 people, 40 EUR live in the dated
parameters, not here). A document therefore prints a mention exactly when the checker
requires it (tests/unit/test_legal_mentions.py proves it rule by rule).
"""

from ..compliance.case import build_regime


def regime(spec, on=None):
    """The legal facts of ``spec`` for date ``on`` (else its issue date, else today)."""
    return build_regime(spec, on)


def law_of(engagement):
    """The part of the spec the legal predicates read, from a saved engagement, without
    exporting the whole spec (the payment services and the wizard ask often)."""
    client, identity = engagement.client, engagement.identity
    return {
        "client": {"kind": client.kind, "headcount": client.headcount,
                   "outside_core_activity": client.outside_core_activity},
        "identity": {"profession": identity.profession, "vat_regime": identity.vat_regime,
                     "legal_form": identity.legal_form},
        "engagement": {"channel": engagement.channel,
                       "early_start_requested": engagement.early_start_requested,
                       "issue_date": (engagement.issue_date.isoformat()
                                      if engagement.issue_date else None),
                       "payment": {"late_penalty_rate": engagement.late_penalty_rate}},
    }


def is_consumer(spec):
    return regime(spec).is_consumer


def is_business(spec):
    return regime(spec).is_business


def treated_as_consumer(spec):
    """Consumer protection applies: a consumer, or a small business under L221-3."""
    return regime(spec).is_consumer_regime


def under_vat_franchise(spec):
    return regime(spec).under_vat_franchise


def is_self_paid_training(spec):
    return regime(spec).is_self_paid_training


def has_withdrawal_right(spec, on=None):
    return regime(spec, on).has_withdrawal_right


def withdrawal_days(spec, on=None):
    """The withdrawal period in days (0 when the client has no such right)."""
    return regime(spec, on).withdrawal_days


def early_start_requested(spec):
    return regime(spec).early_start


def is_sole_trader(spec):
    return regime(spec).is_sole_trader


def flags(spec):
    """The template's ``rules`` object: every mention the document carries."""
    return regime(spec).mentions()
