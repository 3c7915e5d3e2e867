"""EU VAT numbers: format and check digits, country by country, with messages naming the country.

A client in another EU state is invoiced without French VAT only with its VAT number on the
invoice (CGI 242 nonies A ann. II, 13°; CGI 283-2), so a mistyped number must be caught when it
is entered, with a message that says which country's rule failed and what a valid number
looks like. The check digits of the countries our experts invoice most are computed here, each
from the national rule described in its docstring (the same rules the Commission's VIES
service applies before its registry look-up); the other EU states fall back to python-stdnum.

Only the format and the check digits are verified: whether the number is registered (VIES)
needs a network call and stays with the expert.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

# EU member states with their VAT prefix (Greece uses EL, Northern Ireland XI).
EU_VAT_PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR",
                   "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
                   "SE", "SI", "SK", "XI")
# ISO 3166 codes of the EU states (addresses use GR for Greece).
EU_COUNTRIES = frozenset(set(EU_VAT_PREFIXES) - {"EL", "XI"} | {"GR"})

# "Invalid <adjective> VAT number": French puts the adjective after "TVA", so one message each.
TITLES = {
    "FR": gettext_lazy("Invalid French VAT number"),
    "DE": gettext_lazy("Invalid German VAT number"),
    "IT": gettext_lazy("Invalid Italian VAT number"),
    "ES": gettext_lazy("Invalid Spanish VAT number"),
    "BE": gettext_lazy("Invalid Belgian VAT number"),
    "NL": gettext_lazy("Invalid Dutch VAT number"),
    "LU": gettext_lazy("Invalid Luxembourg VAT number"),
    "AT": gettext_lazy("Invalid Austrian VAT number"),
}
# What a valid number looks like, said when the shape is wrong.
SHAPES = {
    "FR": gettext_lazy("FR, 2 check digits, then the 9-digit SIREN, e.g. FR40303265045"),
    "DE": gettext_lazy("DE followed by 9 digits, the first not 0"),
    "IT": gettext_lazy("IT followed by 11 digits (the partita IVA)"),
    "ES": gettext_lazy("ES followed by 9 characters: a letter and 8 digits or 8 digits and a "
                       "letter (NIF, NIE or CIF)"),
    "BE": gettext_lazy("BE followed by 10 digits starting with 0 or 1 (the enterprise number)"),
    "NL": gettext_lazy("NL, 9 digits, the letter B, then 2 digits, e.g. NL123456789B01"),
    "LU": gettext_lazy("LU followed by 8 digits"),
    "AT": gettext_lazy("ATU followed by 8 digits"),
}


class InvalidVatNumber(ValueError):
    """``message`` is a sentence for the person who typed the number; ``country`` its prefix."""

    def __init__(self, country, message):
        self.country = country
        self.message = message
        super().__init__(message)


def compact(value):
    """The number without spaces, dots and dashes, in capitals."""
    return re.sub(r"[\s.\-]", "", str(value)).upper()


def is_eu_country(code):
    """True for the ISO code of an EU member state (FR included)."""
    return (code or "").upper() in EU_COUNTRIES


def country_of(number):
    """The ISO country of a VAT number's prefix (EL is Greece, GR), or "" when unknown."""
    prefix = compact(number)[:2]
    if prefix == "EL":
        return "GR"
    return prefix if prefix in EU_VAT_PREFIXES else ""


# -- the national check-digit rules -----------------------------------------------------------


def _luhn_ok(digits):
    """Luhn (ISO/IEC 7812-1): from the right, every second digit doubled (less 9 over 9)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _fr(body):
    """FR: 2-digit key then the SIREN; key = (12 + 3 × (SIREN mod 97)) mod 97, and the SIREN
    passes Luhn. Keys with letters (entities without a SIREN) use another rule: stdnum."""
    if not re.fullmatch(r"[0-9A-Z]{2}[0-9]{9}", body):
        return "shape"
    key, siren = body[:2], body[2:]
    if not key.isdigit():
        return "ok" if eu_vat.is_valid("FR" + body) else "check"
    if not siren.startswith("000") and not _luhn_ok(siren):
        return "siren"  # (Monaco's numbers, 000..., have no SIREN to check)
    return "ok" if int(key) == (12 + 3 * (int(siren) % 97)) % 97 else "check"


def _de(body):
    """DE: 9 digits; the 9th is the ISO 7064 MOD 11,10 check digit of the first 8."""
    if not re.fullmatch(r"[1-9][0-9]{8}", body):
        return "shape"
    product = 10
    for char in body[:8]:
        total = (int(char) + product) % 10 or 10
        product = (2 * total) % 11
    check = 11 - product
    return "ok" if (0 if check == 10 else check) == int(body[8]) else "check"


# Italian provincial office codes: 001-100, plus 120, 121, 888 and 999.
_IT_OFFICES = {f"{n:03d}" for n in range(1, 101)} | {"120", "121", "888", "999"}


def _it(body):
    """IT: 11 digits (7 company digits, 3 office digits, 1 check); the check is Luhn."""
    if not re.fullmatch(r"[0-9]{11}", body) or body[:7] == "0000000":
        return "shape"
    if body[7:10] not in _IT_OFFICES:
        return "shape"
    return "ok" if _luhn_ok(body) else "check"


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"  # letter = number mod 23
_CIF_LETTERS = "JABCDEFGHI"  # the CIF control as a letter (0 = J)


def _cif_control(digits):
    """The CIF control figure: digits in even places summed, those in odd places doubled and
    their digits summed; control = (10 - total mod 10) mod 10."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char)
        if index % 2 == 0:  # 1st, 3rd, 5th, 7th
            value *= 2
            value = value // 10 + value % 10
        total += value
    return (10 - total % 10) % 10


def _es(body):
    """ES: a DNI (8 digits + letter mod 23), an NIE (X/Y/Z = 0/1/2, then as a DNI), or a CIF
    (letter, 7 digits, control digit or letter J-I for 0-9). Which entity letters take the
    digit or the letter form is not applied consistently by the tax office, so both are
    accepted. K, L, M (individuals without a DNI or NIE) use the DNI letter of the 7 digits."""
    if re.fullmatch(r"[0-9]{8}[A-Z]", body):
        return "ok" if _DNI_LETTERS[int(body[:8]) % 23] == body[8] else "check"
    if re.fullmatch(r"[XYZ][0-9]{7}[A-Z]", body):
        number = int(str("XYZ".index(body[0])) + body[1:8])
        return "ok" if _DNI_LETTERS[number % 23] == body[8] else "check"
    if re.fullmatch(r"[KLM][0-9]{7}[A-Z]", body):  # individuals without a DNI or NIE
        return "ok" if _DNI_LETTERS[int(body[1:8]) % 23] == body[8] else "check"
    if re.fullmatch(r"[ABCDEFGHJNPQRSUVW][0-9]{7}[0-9A-J]", body):
        control = _cif_control(body[1:8])
        return "ok" if body[8] in (str(control), _CIF_LETTERS[control]) else "check"
    return "shape"


def _be(body):
    """BE: 10 digits starting 0 or 1 (an old 9-digit number gets a leading 0); the last two
    are 97 - (the first eight mod 97)."""
    if len(body) == 9 and body.isdigit():
        body = "0" + body
    if not re.fullmatch(r"[01][0-9]{9}", body):
        return "shape"
    return "ok" if 97 - int(body[:8]) % 97 == int(body[8:]) else "check"


def _mod97_10(text):
    """ISO 7064 MOD 97-10 over digits and letters (A = 10 ... Z = 35): valid when 1."""
    return int("".join(str(int(char, 36)) for char in text)) % 97 == 1


def _nl(body):
    """NL: 9 digits, B, 2 digits. Companies: the 9 digits pass the "11-proof" (weights 9 to 2,
    the last digit weighted -1, total a multiple of 11). Sole traders' numbers since 2020:
    ISO 7064 MOD 97-10 over "NL" + the number."""
    if not re.fullmatch(r"[0-9]{9}B[0-9]{2}", body):
        return "shape"
    digits = body[:9]
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    if body[10:] == "00" or int(digits) == 0:
        return "shape"  # the suffix counts from B01
    if total % 11 == 0:
        return "ok"
    return "ok" if _mod97_10("NL" + body) else "check"


def _lu(body):
    """LU: 8 digits; the last two are the first six mod 89."""
    if not re.fullmatch(r"[0-9]{8}", body):
        return "shape"
    return "ok" if int(body[:6]) % 89 == int(body[6:]) else "check"


def _at(body):
    """AT: U then 8 digits; digits 2, 4, 6 are doubled (digits of the product summed), then
    check = (10 - (total + 4) mod 10) mod 10 is the 8th digit."""
    if not re.fullmatch(r"U[0-9]{8}", body):
        return "shape"
    digits = body[1:]
    total = 0
    for index, char in enumerate(digits[:7]):
        value = int(char)
        if index % 2:
            value *= 2
            value = value // 10 + value % 10
        total += value
    return "ok" if (10 - (total + 4) % 10) % 10 == int(digits[7]) else "check"


CHECKS = {"FR": _fr, "DE": _de, "IT": _it, "ES": _es, "BE": _be, "NL": _nl, "LU": _lu,
          "AT": _at}


def _message(country, detail):
    return _("%(title)s: %(detail)s") % {"title": TITLES[country], "detail": detail}


def check(value):
    """The compact number when it is valid; else raise ``InvalidVatNumber`` with a message
    that names the country and says what is wrong."""
    number = compact(value)
    prefix, body = number[:2], number[2:]
    if prefix in CHECKS:
        verdict = CHECKS[prefix](body)
        if verdict == "ok":
            return number
        if verdict == "shape":
            detail = _("%(number)s does not have the right form; expected %(shape)s.") % {
                "number": number, "shape": SHAPES[prefix]}
        elif verdict == "siren":
            detail = _("%(number)s does not contain a valid SIREN (its last 9 digits fail the "
                       "Luhn check): check the client's SIREN.") % {"number": number}
        else:
            detail = _("the check digits of %(number)s do not match: a character was probably "
                       "mistyped; copy the number from the client's invoice or the VIES "
                       "service.") % {"number": number}
        raise InvalidVatNumber(prefix, _message(prefix, detail))
    if prefix not in EU_VAT_PREFIXES:
        raise InvalidVatNumber(prefix, _(
            "%(number)s does not start with the code of an EU country (FR, DE, IT, ES, BE, "
            "NL, ...): an intra-EU VAT number starts with its country's two letters. A client "
            "outside the EU has no intra-EU VAT number: leave it empty.") % {"number": number})
    try:
        eu_vat.validate(number)
    except stdnum_errors.ValidationError:
        raise InvalidVatNumber(prefix, _(
            "%(number)s is not a valid VAT number of the country %(country)s (wrong length or "
            "check digits): copy it from the client's invoice or the VIES service.") % {
                "number": number, "country": prefix}) from None
    return number


def vat_number_problem(value):
    """The message explaining why ``value`` is not a valid EU VAT number, or None."""
    try:
        check(value)
    except InvalidVatNumber as exc:
        return exc.message
    return None
