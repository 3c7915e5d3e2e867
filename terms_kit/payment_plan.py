"""Consistency of a payment plan with the price: rules shared by the admin form and the spec.

These are data errors (the plan cannot be carried out as written), not legal findings;
the compliance checker deals with what the law allows.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from .money import ZERO


def payment_plan_errors(payment_model, deposit_percent, milestone_amounts, total_excl_vat):
    """Return {field: message} for a plan that does not add up. Empty when consistent."""
    errors = {}
    if payment_model == "deposit" and not deposit_percent:
        errors["deposit_percent"] = _(
            "The payment model is 'deposit' but the deposit is 0 %: enter a percentage "
            "above 0, or choose another payment model."
        )
    if deposit_percent is not None and not (Decimal("0") <= deposit_percent <= Decimal("100")):
        errors["deposit_percent"] = _(
            "A deposit is a percentage between 0 and 100; %(value)s is not."
        ) % {"value": deposit_percent}
    amounts = list(milestone_amounts)
    if payment_model == "milestones":
        if not amounts:
            errors["milestones"] = _("A milestone plan needs at least one milestone.")
        else:
            planned = sum(amounts, ZERO)
            if planned != total_excl_vat:
                errors["milestones"] = _(
                    "The milestones add up to %(planned)s excl. VAT but the lines total "
                    "%(total)s excl. VAT: make them equal."
                ) % {"planned": planned, "total": total_excl_vat}
    elif amounts:
        errors["milestones"] = _(
            "Milestones are listed but the payment model is not 'milestones': remove them "
            "or choose the milestones model."
        )
    return errors
