"""Consistency of the figures themselves: a quote that cannot be carried out as written.

Not law, but a quote with no line or a plan that does not add up cannot be checked (or
sent) either; the same messages as the spec importer, via ``payment_plan_errors``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ...payment_plan import payment_plan_errors
from ..formatting import number
from ..registry import rule

HUNDRED = 100


@rule("data.lines", "error", "C. civ. 1163 (a price that is determined); CGI ann. II 242 nonies A",
      _lazy("The quote has lines with positive quantities, prices of 0 or more and rates "
            "between 0 and 100 %"),
      field="engagement.lines")
def lines(case):
    if not case.lines:
        yield "engagement.lines", _("A quote needs at least one line: add the service you sell.")
    for index, line in enumerate(case.lines):
        path = f"engagement.lines[{index}]"
        if line.quantity <= 0:
            yield f"{path}.quantity", _(
                "Line %(n)s has a quantity of %(value)s: a quantity must be above 0 (use the "
                "discount for a reduction)."
            ) % {"n": index + 1, "value": number(line.quantity)}
        if line.unit_price < 0:
            yield f"{path}.unit_price", _(
                "Line %(n)s has a negative unit price: enter a price of 0 or more and use the "
                "line's discount for a reduction."
            ) % {"n": index + 1}
        if not 0 <= line.vat_rate <= HUNDRED:
            yield f"{path}.vat_rate", _(
                "Line %(n)s has a VAT rate of %(value)s %%: a rate is between 0 and 100."
            ) % {"n": index + 1, "value": number(line.vat_rate)}
        if line.discount_percent is not None and not 0 <= line.discount_percent <= HUNDRED:
            yield f"{path}.discount_percent", _(
                "Line %(n)s has a discount of %(value)s %%: a discount is between 0 and 100."
            ) % {"n": index + 1, "value": number(line.discount_percent)}


@rule("data.payment_plan", "error", "C. civ. 1163 (a price that is determined)",
      _lazy("The deposit is between 0 and 100 % and the milestones add up to the total"),
      field="engagement.payment")
def payment_plan(case):
    payment = case.payment
    problems = payment_plan_errors(
        payment.model, payment.deposit_percent, list(payment.milestone_amounts),
        case.totals.total_excl_vat,
    )
    for name, message in problems.items():
        yield f"engagement.payment.{name}", message
