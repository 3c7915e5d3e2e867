"""Regulated and liberal professions: lawyers, accountants, health, self-paid training."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..formatting import number
from ..registry import rule
from .wording import first_mention, mentions

FEE_AGREEMENT_WORDS = (r"convention d.honoraires", r"fee agreement")
NO_FEE_AGREEMENT_WORDS = (r"sans convention d.honoraires", r"without (a )?fee agreement")
ENGAGEMENT_LETTER_WORDS = (r"lettre de mission", r"engagement letter")
TRAINING_WITHDRAWAL_WORDS = (r"\b(10|dix) jours", r"\b(10|ten) days")
PAYS_AT_SIGNING = {"deposit", "full_prepayment", "time_credit", "preauthorisation"}


FEES = "engagement.fee_agreement"


@rule("prof.avocat", "error", "Loi 71-1130 art. 10",
      _lazy("A lawyer's fees are agreed in writing, on a lawful basis (time spent at an hourly "
            "rate, flat fee, a fee on the result only as a complement)"),
      field=f"{FEES}.basis", mention="fee_agreement")
def lawyer_fee_agreement(case):
    """Decided on the fee agreement's data, never on the title's wording (see
    prof.avocat.text for what the wording can only warn about)."""
    if not case.regime.needs_fee_agreement:
        return
    fees = case.fee_agreement
    if fees.basis == "":
        yield f"{FEES}.basis", _(
            "A lawyer agrees fees in writing with every client: answer how the fees are set "
            "(time spent at an hourly rate, or a flat fee) in the profession step."
        )
    elif fees.basis == "none" and not fees.exemption:
        yield f"{FEES}.basis", _(
            "A lawyer cannot work without a written fee agreement, except in urgency, force "
            "majeure or under full legal aid: choose how the fees are set, or the exception "
            "that applies."
        )
    elif fees.basis == "success_only":
        yield f"{FEES}.basis", _(
            "Fees set only on the result obtained are forbidden: set a fee for time spent or "
            "a flat fee, and add the fee on the result as a complement if you wish."
        )
    elif fees.basis == "time_spent" and not (fees.hourly_rate and fees.hourly_rate > 0):
        yield f"{FEES}.hourly_rate", _(
            "Fees for time spent need the hourly rate in the agreement: fill in the hourly "
            "rate excl. VAT."
        )


@rule("prof.avocat.text", "warning", "Loi 71-1130 art. 10",
      _lazy("A lawyer's fee agreement is titled as such and its texts do not contradict it"),
      field="engagement.title")
def lawyer_fee_agreement_text(case):
    """Free text only warns: the title is what the client reads at the top of what they
    sign, so it should call the document a fee agreement."""
    if not case.regime.needs_fee_agreement or case.fee_agreement.basis in ("", "none"):
        return
    texts = [("engagement.title", case.title),
             ("engagement.service_description", case.service_description)]
    contradicting = first_mention(texts, *NO_FEE_AGREEMENT_WORDS)
    if contradicting:
        yield contradicting, _(
            "This text says there is no fee agreement, while you answered how the fees are "
            "set: remove that wording so the client is not misled."
        )
    elif not (mentions(case.title, *FEE_AGREEMENT_WORDS)
              or mentions(case.service_description, *FEE_AGREEMENT_WORDS)):
        yield "engagement.title", _(
            "Call this document a fee agreement so the client signs it as such: e.g. title "
            "it “Convention d'honoraires : …”."
        )


@rule("prof.ec", "error", "Décret 2012-432 art. 151",
      _lazy("A chartered accountant's engagement is a written engagement letter (lettre de "
            "mission)"),
      field="engagement.title")
def accountant_engagement_letter(case):
    if case.identity.profession == "accountant" and not (
            mentions(case.title, *ENGAGEMENT_LETTER_WORDS)
            or mentions(case.service_description, *ENGAGEMENT_LETTER_WORDS)):
        yield "engagement.title", _(
            "A chartered accountant works under a written engagement letter: title this "
            "document “Lettre de mission” (title field)."
        )


@rule("prof.sante", "info", "C. santé pub. L1111-3-3; arrêté du 30 mai 2018",
      _lazy("A health professional gives written prior information from 70 EUR"),
      field="engagement.lines")
def health_written_information(case):
    threshold = case.param("health_written_info_from_eur")
    if case.identity.profession == "health" and case.totals.total_incl_vat >= threshold:
        yield "engagement.lines", _(
            "Fees of %(threshold)s EUR or more need written information before the act: send "
            "this quote to the patient before the appointment."
        ) % {"threshold": number(threshold)}


@rule("prof.formation", "error", "C. trav. L6353-3 to L6353-6",
      _lazy("Self-paid training: nothing payable before the 10-day withdrawal period ends, "
            "at most 30 % then, the balance in stages"),
      field="engagement.payment", mention="withdrawal")
def self_paid_training(case):
    if not case.regime.is_self_paid_training:
        return
    days = case.param("training_withdrawal_days")
    payment = case.payment
    if payment.model in PAYS_AT_SIGNING or payment.deposit_percent:
        yield "engagement.payment.model", _(
            "An individual paying for their own training owes nothing before their %(days)s-day "
            "withdrawal period ends: no deposit or payment at signing. Choose the milestones "
            "model, the first one after the withdrawal period."
        ) % {"days": number(days)}
    if payment.model == "milestones" and payment.milestone_amounts:
        cap = case.param("training_max_first_payment_percent")
        first, total = payment.milestone_amounts[0], case.totals.total_excl_vat
        if total > 0 and first * 100 > cap * total:
            yield "engagement.payment.milestones[0].amount", _(
                "After the withdrawal period the trainee may be asked for at most %(cap)s %% of "
                "the price; the first milestone is %(first)s of %(total)s. Lower it and spread "
                "the balance over the course."
            ) % {"cap": number(cap), "first": number(first), "total": number(total)}


@rule("prof.formation.text", "warning", "C. trav. L6353-5",
      _lazy("A self-paid training contract mentions the 10-day withdrawal period"),
      field="engagement.cancellation_terms")
def self_paid_training_text(case):
    if (case.regime.is_self_paid_training
            and first_mention(case.texts(), *TRAINING_WITHDRAWAL_WORDS) is None):
        yield "engagement.cancellation_terms", _(
            "The contract must tell the trainee they can withdraw within %(days)s days by "
            "registered letter: say so in the cancellation terms."
        ) % {"days": number(case.param("training_withdrawal_days"))}
