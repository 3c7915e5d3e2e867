"""Field validators for French business identifiers and bank details.

Each error says which rule failed and what a valid value looks like, so an expert can fix it
without searching.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from .vat import numbers as vat_numbers


def compact_digits(value):
    return "".join(ch for ch in str(value) if not ch.isspace() and ch not in ".-")


def validate_siren(value):
    try:
        fr_siren.validate(compact_digits(value))
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("A SIREN has exactly 9 digits."), code="siren_length") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This SIREN fails its check digit (Luhn): check it against your INSEE notice."),
            code="siren_checksum",
        ) from None


def validate_siret(value):
    try:
        fr_siret.validate(compact_digits(value))
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("A SIRET has exactly 14 digits (the 9-digit SIREN + 5 digits)."), code="siret_length"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This SIRET fails its check digit: check it against your INSEE notice."),
            code="siret_checksum",
        ) from None


def validate_vat_number(value):
    """An EU VAT number, checked with its own country's rule (terms_kit/vat/numbers.py): the
    message names the country, e.g. "Invalid Belgian VAT number: ..."."""
    try:
        vat_numbers.check(value)
    except vat_numbers.InvalidVatNumber as exc:
        raise ValidationError(exc.message, code="vat_number") from None


def validate_iban(value):
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(
            _("This IBAN is not valid (%(reason)s)."), params={"reason": exc}, code="iban"
        ) from None


def validate_bic(value):
    try:
        BIC(value)
    except SchwiftyException as exc:
        raise ValidationError(
            _("This BIC is not valid (%(reason)s)."), params={"reason": exc}, code="bic"
        ) from None
