"""Consumers (and small businesses off premises, L221-3): withdrawal, early start, mediator,
payments off premises, no recovery fees."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..formatting import day, number
from ..registry import rule
from .wording import first_mention, mentions

WITHDRAWAL_WORDS = (r"r[ée]tractation", r"withdraw")
WITHDRAWAL_FUNCTION_WORDS = (r"renoncer au contrat", r"fonction de r[ée]tractation",
                             r"withdrawal (function|button)", r"withdraw from the contract here")
RECOVERY_FEE_WORDS = (r"frais de recouvrement", r"indemnit[ée] forfaitaire",
                      r"recovery (fee|cost|indemnity)")
TAKES_MONEY_AT_SIGNING = {"deposit", "full_prepayment", "time_credit", "preauthorisation"}


def _days_later(start, days):
    try:
        return start + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


@rule("b2c.withdrawal", "error", "C. conso L221-5 7°, L221-18, L221-20",
      _lazy("A consumer contract at a distance or off premises comes with terms of sale that "
            "give the 14-day withdrawal right"),
      field="terms")
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
    # The period runs from conclusion, which is no earlier than the issue date, nor than the
    # day the check is made for (the acceptance flow checks again with ``on`` = that day).
    earliest = _days_later(max(case.issue_date, case.on), days)
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
    if not (case.is_consumer_regime and case.channel == "off_premises"):
        return
    if case.payment.model in TAKES_MONEY_AT_SIGNING or case.payment.deposit_percent:
        yield "engagement.payment.model", _(
            "A contract signed at the client's home or office forbids taking any payment, card "
            "imprint or pre-authorisation during the %(days)s days after signing: choose payment "
            "after the service or milestones that fall after that, and no deposit."
        ) % {"days": number(case.param("off_premises_no_payment_days"))}


@rule("b2c.mediator", "error", "C. conso L612-1, L616-1, R616-1",
      _lazy("An expert selling to consumers names their consumer mediator, its website and "
            "its address"),
      field="identity.mediator")
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
      field="client.headcount")
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
