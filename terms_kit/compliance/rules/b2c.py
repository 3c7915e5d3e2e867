"""Consumers (and small businesses off premises, L221-3): withdrawal, early start, mediator,
payments off premises, no recovery fees."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ...payments import schedule
from ..formatting import day, number
from ..registry import rule
from .wording import first_mention, mentions

WITHDRAWAL_WORDS = (r"r[ée]tractation", r"withdraw")
WITHDRAWAL_FUNCTION_WORDS = (r"renoncer au contrat", r"fonction de r[ée]tractation",
                             r"withdrawal (function|button)", r"withdraw from the contract here")
RECOVERY_FEE_WORDS = (r"frais de recouvrement", r"indemnit[ée] forfaitaire",
                      r"recovery (fee|cost|indemnity)")


def _days_later(start, days):
    try:
        return start + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


@rule("b2c.withdrawal", "error", "C. conso L221-5 7°, L221-18, L221-20",
      _lazy("A consumer contract at a distance or off premises comes with terms of sale that "
            "give the 14-day withdrawal right"),
      field="terms", mention="withdrawal")
def withdrawal(case):
    if case.is_consumer_regime and case.is_distance_or_off_premises and case.terms_body is None:
        yield "terms", _(
            "This consumer contract is made at a distance or off premises, so the client has "
            "%(days)s days to withdraw and must be told how, or the period runs 12 months more. "
            "Attach your terms of sale (with the withdrawal section) to the quote."
        ) % {"days": number(case.param("consumer_withdrawal_days"))}


@rule("b2c.withdrawal.text", "warning", "C. conso L221-5 7°, R221-1, R221-3",
      _lazy("The terms of sale of a consumer contract at a distance or off premises explain "
            "the withdrawal right"),
      field="terms.body")
def withdrawal_text(case):
    if (case.is_consumer_regime and case.is_distance_or_off_premises and case.terms_body is not None
            and not mentions(case.terms_body, *WITHDRAWAL_WORDS)):
        yield "terms.body", _(
            "Your terms of sale do not seem to mention the withdrawal right (“rétractation”): "
            "add a section giving the %(days)s-day period, how to withdraw and the model form."
        ) % {"days": number(case.param("consumer_withdrawal_days"))}


@rule("b2c.button", "warning", "C. conso L221-21 (ord. 2026-2); D221-5 (décret 2026-3)",
      _lazy("From 19 June 2026 the terms of an online consumer contract say where the "
            "withdrawal function is"),
      field="terms.body")
def withdrawal_button(case):
    if not (case.is_consumer_regime and case.channel == "distance" and case.terms_body is not None):
        return
    if case.on >= case.param("withdrawal_function_from") and not mentions(
            case.terms_body, *WITHDRAWAL_FUNCTION_WORDS):
        yield "terms.body", _(
            "Since 19 June 2026 a consumer who contracted online must be able to withdraw "
            "through a “Renoncer au contrat ici” function, and your terms must say where it is: "
            "add a sentence to the withdrawal section of your terms of sale."
        )


@rule("b2c.early_start", "error", "C. conso L221-25, L221-28 1°",
      _lazy("A consumer service starting within the withdrawal period is expressly requested "
            "by the client"),
      field="engagement.early_start_requested")
def early_start(case):
    if not (case.is_consumer_regime and case.is_distance_or_off_premises):
        return
    days = int(case.param("consumer_withdrawal_days"))
    # The period runs from conclusion (Case.concluded).
    earliest = _days_later(case.concluded, days)
    if (case.start_date is not None and case.start_date < earliest
            and not case.early_start_requested):
        yield "engagement.early_start_requested", _(
            "The service starts on %(start)s, within the consumer's %(days)s-day withdrawal "
            "period. Tick “service starts within the withdrawal period” so the client is asked "
            "to request it expressly (otherwise a client who withdraws owes nothing), or move "
            "the start date to %(earliest)s or later."
        ) % {"start": day(case.start_date), "days": days, "earliest": day(earliest)}


@rule("b2c.offprem_7d", "error", "C. conso L221-10, L242-7",
      _lazy("No payment, card imprint or mandate is taken within 7 days of an off-premises "
            "consumer contract"),
      field="engagement.payment.model")
def off_premises_payment(case):
    """Decided on the dates of the payment schedule the contract will have (the same steps
    services/payments.py makes), for every payment model; a card hold counts as a payment
    (L221-10 forbids any payment or consideration, a card imprint included)."""
    first_allowed = case.regime.first_payment_day(case.concluded)
    if first_allowed is None:
        return
    days = number(case.param("off_premises_no_payment_days"))
    for step, due in case.payment_schedule():
        if due >= first_allowed:
            continue
        values = {"days": days, "due": day(due), "first": day(first_allowed)}
        if step.trigger == schedule.ACCEPTANCE:
            if step.kind == schedule.PREAUTHORISATION:
                yield "engagement.payment.model", _(
                    "A contract signed at the client's home or office forbids taking any "
                    "payment during the %(days)s days after signing, and a card "
                    "pre-authorisation counts as one: choose payment after the service, with "
                    "the service on %(first)s or later."
                ) % values
            else:
                yield "engagement.payment.model", _(
                    "A contract signed at the client's home or office forbids taking any "
                    "payment, card imprint or deposit during the %(days)s days after signing, "
                    "yet this payment model asks for money on signing (%(due)s): choose "
                    "payment after the service or milestones, with no deposit, falling due on "
                    "%(first)s or later."
                ) % values
        elif step.trigger == schedule.MILESTONE_DONE:
            yield f"engagement.payment.milestones[{step.milestone}]", _(
                "This off-premises contract forbids any payment during the %(days)s days "
                "after signing, but the first milestone can fall due on %(due)s (work starting "
                "then, payment term included): move the start date, or lengthen the payment "
                "term, so nothing falls due before %(first)s."
            ) % values
        elif step.trigger == schedule.ON_ACT:
            yield "engagement.start_date", _(
                "This off-premises contract forbids any payment during the %(days)s days "
                "after signing, but each act is paid when given and the first can be given on "
                "%(due)s: set the start date to %(first)s or later."
            ) % values
        else:
            yield "engagement.end_date", _(
                "This off-premises contract forbids any payment during the %(days)s days "
                "after signing, but the service can be completed and its payment fall due on "
                "%(due)s: move the end date or lengthen the payment term so that nothing "
                "falls due before %(first)s."
            ) % values
        return  # the earliest instalment says what to change


@rule("b2c.mediator", "error", "C. conso L612-1, L616-1, R616-1",
      _lazy("An expert selling to consumers names their consumer mediator, its website and "
            "its address"),
      field="identity.mediator", mention="mediator")
def mediator(case):
    if not case.is_consumer:
        return
    missing = [
        ("identity.mediator.name", case.identity.mediator_name,
         _("Name the consumer mediator you joined (mediator field of your business identity).")),
        ("identity.mediator.website", case.identity.mediator_website,
         _("Give your consumer mediator's website (mediator website field).")),
        ("identity.mediator.address", case.identity.mediator_address,
         _("Give your consumer mediator's postal address (mediator address field).")),
    ]
    for field, value, message in missing:
        if not value.strip():
            yield field, _("Selling to consumers requires a consumer mediator. %(fix)s") % {
                "fix": message}


@rule("dun.b2c_fees", "error", "C. pr. exéc. L111-8; C. com. L441-10 II, D441-5",
      _lazy("No fixed recovery indemnity (40 EUR) on a consumer's document"),
      field="engagement.payment.recovery_indemnity")
def consumer_recovery_fee(case):
    if case.is_consumer and case.payment.recovery_indemnity:
        yield "engagement.payment.recovery_indemnity", _(
            "The fixed recovery indemnity only applies to businesses: a consumer never owes it, "
            "nor any recovery fees. Empty the recovery indemnity field."
        )


@rule("dun.b2c_fees.text", "warning", "C. pr. exéc. L111-8",
      _lazy("The texts of a consumer's document do not charge recovery fees"),
      field="terms.body")
def consumer_recovery_fee_text(case):
    if not case.is_consumer:
        return
    field = first_mention(case.texts(), *RECOVERY_FEE_WORDS)
    if field:
        yield field, _(
            "This text seems to charge recovery fees or a fixed indemnity to a consumer, which "
            "the law forbids (recovery costs stay with you): remove that clause."
        )


@rule("b2b.tpe_offpremises", "info", "C. conso L221-3",
      _lazy("A business of 5 or fewer signing off premises outside its core activity is "
            "treated as a consumer"),
      field="client.headcount", mention="withdrawal")
def small_business_off_premises(case):
    if case.is_small_business_off_premises:
        yield "client.headcount", _(
            "This client has %(max)s employees or fewer, signs off premises and buys outside its "
            "core activity: it gets the consumer's information and withdrawal rights."
        ) % {"max": number(case.param("small_business_max_employees"))}


@rule("b2b.tpe_offpremises.headcount", "warning", "C. conso L221-3",
      _lazy("The headcount of a business client signing off premises is known"),
      field="client.headcount")
def small_business_headcount(case):
    if (case.is_business and case.channel == "off_premises"
            and case.client.outside_core_activity and case.client.headcount is None):
        yield "client.headcount", _(
            "This business client signs off premises for something outside its core activity: "
            "with %(max)s employees or fewer it has a consumer's rights. Fill in its headcount."
        ) % {"max": number(case.param("small_business_max_employees"))}


CONSUMER_PENALTY = "engagement.payment.late_penalty_rate"


@rule("b2c.penalty_clause", "info", "C. civ. 1231-5",
      _lazy("A late-penalty rate agreed with a consumer is printed on their documents as a "
            "penalty clause a judge may reduce"),
      field=CONSUMER_PENALTY, mention="penalty_clause")
def consumer_penalty_clause(case):
    """Nothing entered vanishes: the documents print the rate (Regime.mentions
    "penalty_clause"), and the expert is told what it is worth against a consumer."""
    if case.regime.shows_consumer_penalty_clause:
        yield CONSUMER_PENALTY, _(
            "Your late-penalty rate of %(rate)s %% a year is printed on the consumer's "
            "documents as a penalty clause: it is owed only after a formal notice, and a judge "
            "may reduce it if it is manifestly excessive. Empty the field to rely on the legal "
            "interest rate instead."
        ) % {"rate": number(case.payment.late_penalty_rate)}


@rule("b2c.penalty_clause.excessive", "warning", "C. civ. 1231-5; C. conso R212-2 3°",
      _lazy("A consumer's late-penalty rate is not above the default rate the law sets "
            "between businesses"),
      field=CONSUMER_PENALTY)
def consumer_penalty_clause_excessive(case):
    """No figure in the law caps it; the default rate between businesses (ECB rate + 10
    points, C. com. L441-10 II) is the yardstick: above it, an indemnity is likely to be
    disproportionate, a clause presumed unfair against a consumer (R212-2 3°)."""
    if not case.regime.shows_consumer_penalty_clause:
        return
    ceiling = case.param("ecb_reference_rate") + case.param("late_penalty_default_points")
    if case.payment.late_penalty_rate > ceiling:
        yield CONSUMER_PENALTY, _(
            "A late-penalty rate of %(rate)s %% a year is above the %(ceiling)s %% the law "
            "applies by default even between businesses: against a consumer such a penalty is "
            "presumed unfair and a judge may cut it. Lower the rate to %(ceiling)s %% or less."
        ) % {"rate": number(case.payment.late_penalty_rate), "ceiling": number(ceiling)}
