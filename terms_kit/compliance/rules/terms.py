"""The terms of sale (CGV): contents between businesses, clauses unfair to consumers."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..registry import rule
from .wording import first_mention, mentions

PAYMENT_WORDS = (r"paiement", r"r[èe]glement", r"payment")
PRICE_WORDS = (r"\bprix\b", r"tarif", r"\bprices?\b")
NO_REFUND_WORDS = (r"non[- ]remboursable", r"aucun remboursement", r"non[- ]refundable",
                   r"no refunds?\b")
ODR_WORDS = (r"ec\.europa\.eu/consumers/odr", r"r[èe]glement en ligne des litiges",
             r"online dispute resolution")


@rule("b2b.cgv_content", "warning", "C. com. L441-1",
      _lazy("Terms of sale for businesses cover the price and the payment conditions"),
      field="terms.body")
def cgv_content(case):
    if not (case.is_business and case.terms_body is not None):
        return
    body = case.terms_body
    if not mentions(body, *PAYMENT_WORDS) or not mentions(body, *PRICE_WORDS):
        yield "terms.body", _(
            "Terms of sale for businesses must cover the price elements, price reductions and "
            "payment conditions: your terms seem to lack a price or payment section."
        )


@rule("b2c.unfair", "warning", "C. conso L212-1; R212-1, R212-2",
      _lazy("No clause keeps a consumer's money without anything in return"),
      field="engagement.refund_terms")
def unfair_no_refund(case):
    if not case.is_consumer:
        return
    field = first_mention(case.texts(), *NO_REFUND_WORDS)
    if field:
        yield field, _(
            "“Non refundable” towards a consumer is presumed unfair when you keep their money "
            "without an equivalent commitment of yours (R212-2): say what is refunded when and "
            "why, or call the deposit “arrhes”."
        )


@rule("b2c.odr", "warning", "Reg. (EU) 2024/3228 (good practice)",
      _lazy("The terms no longer point to the EU online dispute platform (closed 20 July 2025)"),
      field="terms.body")
def odr_link(case):
    if case.terms_body is not None and mentions(case.terms_body, *ODR_WORDS):
        yield "terms.body", _(
            "The EU online dispute resolution platform closed on 20 July 2025: remove its link "
            "from your terms of sale and keep your consumer mediator instead."
        )
