"""EU VAT numbers: each country's own check-digit rule, and messages that name the country.

The valid numbers were computed with each rule by hand (one worked example a country below)
and are cross-checked against python-stdnum, a second, independent implementation.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.eu import vat as stdnum_vat

from terms_kit import validators
from terms_kit.vat import numbers

# Worked examples (one a country):
# FR: SIREN 303265045 mod 97 = 74; key (12 + 3 × 74) mod 97 = 234 mod 97 = 40.
# DE: 13669597|6: ISO 7064 MOD 11,10 over 1,3,6,6,9,5,9,7 leaves product 5; 11 - 5 = 6.
# IT: 00743110157: office 015, and Luhn over the 11 digits is a multiple of 10.
# ES: A2801586|5: odd places 2,0,5,6 doubled -> 4,0,1+0,1+2 = 8; even places 8,1,8 = 17;
#     total 25, (10 - 25 mod 10) mod 10 = 5.  12345678Z: 12345678 mod 23 = 14 -> "Z".
# BE: 04031707|01: 4031707 mod 97 = 96, 97 - 96 = 1.
# NL: 004495445: 0×9 + 0×8 + 4×7 + 4×6 + 9×5 + 5×4 + 4×3 + 4×2 - 5 = 132 = 12 × 11.
# LU: 150274|42: 150274 mod 89 = 42.
# AT: U1358562|7: 1 + (3×2=6) + 5 + (8×2=16: 1+6) + 5 + (6×2=12: 1+2) + 2 = 29;
#     (10 - (29 + 4) mod 10) mod 10 = 7.
VALID = {
    "FR": ["FR40303265045", "FR32626018154", "FR 11 123 456 782"],
    "DE": ["DE136695976", "DE811907980"],
    "IT": ["IT00743110157", "IT12345670017"],
    "ES": ["ESA28015865", "ESB12345674", "ES12345678Z", "ESX1234567L", "ESQ2818015F"],
    "BE": ["BE0403170701", "BE0776091951", "BE 0403.170.701"],
    "NL": ["NL004495445B01", "NL123456782B12", "NL000099998B57"],
    "LU": ["LU15027442", "LU10000356"],
    "AT": ["ATU13585627", "ATU10223006"],
}

# (number, what the message must say)
INVALID = {
    "FR": [("FR41303265045", "check digits"), ("FR4030326504", "does not have the right form"),
           ("FR12123456789", "does not contain a valid SIREN")],
    "DE": [("DE136695977", "check digits"), ("DE036695976", "right form"),
           ("DE13669597", "right form")],
    "IT": [("IT00743110158", "check digits"), ("IT00743112157", "right form"),
           ("IT0074311015", "right form")],
    "ES": [("ESA28015866", "check digits"), ("ES12345678A", "check digits"),
           ("ESX1234567M", "check digits"), ("ES1234567", "right form")],
    "BE": [("BE0403170702", "check digits"), ("BE2403170701", "right form"),
           # 97 - (first eight mod 97) is at most 97: 98 is "1 + 97", refused (stdnum takes it).
           ("BE0403170798", "check digits")],
    "NL": [("NL004495446B01", "check digits"), ("NL004495445B00", "right form"),
           ("NL004495445X01", "right form")],
    "LU": [("LU15027443", "check digits"), ("LU1502744", "right form")],
    "AT": [("ATU13585628", "check digits"), ("AT13585627", "right form")],
}

TITLES_FR = {"FR": "Numéro de TVA français invalide", "DE": "Numéro de TVA allemand invalide",
             "IT": "Numéro de TVA italien invalide", "ES": "Numéro de TVA espagnol invalide",
             "BE": "Numéro de TVA belge invalide", "NL": "Numéro de TVA néerlandais invalide",
             "LU": "Numéro de TVA luxembourgeois invalide",
             "AT": "Numéro de TVA autrichien invalide"}
TITLES_EN = {"FR": "Invalid French VAT number", "DE": "Invalid German VAT number",
             "IT": "Invalid Italian VAT number", "ES": "Invalid Spanish VAT number",
             "BE": "Invalid Belgian VAT number", "NL": "Invalid Dutch VAT number",
             "LU": "Invalid Luxembourg VAT number", "AT": "Invalid Austrian VAT number"}


@pytest.mark.parametrize(("country", "number"),
                         [(c, n) for c, found in VALID.items() for n in found])
def test_valid_numbers_pass_and_stdnum_agrees(country, number):
    assert numbers.check(number) == numbers.compact(number)
    assert numbers.country_of(number) == country
    assert stdnum_vat.is_valid(number)
    validators.validate_vat_number(number)


@pytest.mark.parametrize(("country", "number", "reason"),
                         [(c, n, r) for c, found in INVALID.items() for n, r in found])
def test_invalid_numbers_name_the_country_and_the_rule(country, number, reason):
    with translation.override("en"), pytest.raises(numbers.InvalidVatNumber) as raised:
        numbers.check(number)
    assert raised.value.country == country
    assert raised.value.message.startswith(TITLES_EN[country] + ": ")
    assert reason in raised.value.message
    assert numbers.compact(number) in raised.value.message
    with translation.override("fr"), pytest.raises(ValidationError) as raised:
        validators.validate_vat_number(number)
    assert raised.value.code == "vat_number"
    assert raised.value.messages[0].startswith(TITLES_FR[country] + " : ")


@pytest.mark.parametrize("country", sorted(VALID))
def test_one_changed_digit_is_caught_as_stdnum_does(country):
    """Every single-digit change of a valid number's check digit is refused by both rules."""
    number = numbers.compact(VALID[country][0])
    at = 10 if country == "NL" else len(number) - 1  # NL ends with B + a suffix, not a check
    for digit in "0123456789":
        if digit == number[at]:
            continue
        changed = number[:at] + digit + number[at + 1:]
        assert numbers.vat_number_problem(changed), changed
        assert not stdnum_vat.is_valid(changed), changed


def test_other_eu_countries_fall_back_to_stdnum_with_the_prefix_named():
    assert numbers.vat_number_problem("PL5260250274") is None  # a valid Polish number
    with translation.override("en"):
        message = numbers.vat_number_problem("PL5260250275")
    assert "PL5260250275" in message and "country PL" in message


def test_a_number_from_outside_the_eu_is_explained():
    with translation.override("en"):
        message = numbers.vat_number_problem("CHE123456789")
    assert "does not start with the code of an EU country" in message
    assert "outside the EU" in message


def test_eu_countries():
    assert numbers.is_eu_country("BE") and numbers.is_eu_country("gr")
    assert not numbers.is_eu_country("CH") and not numbers.is_eu_country("GB")
    assert numbers.country_of("EL094259216") == "GR"
