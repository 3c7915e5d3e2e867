import pytest
from django.core.exceptions import ValidationError

from terms_kit import validators


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validators.validate_siren, "123 456 782"),
        (validators.validate_siret, "12345678200010"),
        (validators.validate_vat_number, "FR11123456782"),
        (validators.validate_iban, "FR76 3000 6000 0112 3456 7890 189"),
        (validators.validate_bic, "AGRIFRPP"),
    ],
)
def test_valid_identifiers_pass(validator, value):
    validator(value)


@pytest.mark.parametrize(
    ("validator", "value", "code"),
    [
        (validators.validate_siren, "123456789", "siren_checksum"),
        (validators.validate_siren, "1234", "siren_length"),
        (validators.validate_siret, "12345678200011", "siret_checksum"),
        (validators.validate_vat_number, "FR00123456782", "vat_number"),
        (validators.validate_iban, "FR7630006000011234567890180", "iban"),
        (validators.validate_bic, "NOTABIC", "bic"),
    ],
)
def test_invalid_identifiers_say_which_rule_failed(validator, value, code):
    with pytest.raises(ValidationError) as raised:
        validator(value)
    assert raised.value.code == code
