"""Field validators for French business identifiers and bank details.

Each error says which rule failed and what a valid value looks like, so an expert can fix it
without searching.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret


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
    try:
        eu_vat.validate(value)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _(
                "This is not a valid EU VAT number. A French one is FR + 2 check characters "
                "+ the SIREN, e.g. FR40303265045."
            ),
            code="vat_number",
        ) from None


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
