"""VAT: why a line has no French VAT (treatments), EU VAT numbers (numbers) and the mentions
of the e-invoicing reform (einvoicing). Pure functions over the spec dict.

``terms_kit.vat.einvoicing`` reads the dated figures of the checker, so it is imported on its
own (``from terms_kit.vat.einvoicing import einvoicing_problems``): the models import
``numbers`` through the validators, before the checker can be loaded.
"""

from .numbers import InvalidVatNumber, country_of, is_eu_country, vat_number_problem
from .treatments import (
    EXEMPTIONS,
    FRENCH_RATES,
    OPERATION_CATEGORIES,
    Treatment,
    VatExemption,
    delivery_address,
    exemption_mentions,
    has_reverse_charge,
    line_exemption,
    line_treatment,
    operation_category_code,
    vat_category,
    vat_on_debits,
)

__all__ = ["EXEMPTIONS", "FRENCH_RATES", "OPERATION_CATEGORIES", "InvalidVatNumber", "Treatment",
           "VatExemption", "country_of", "delivery_address", "exemption_mentions",
           "has_reverse_charge", "is_eu_country", "line_exemption", "line_treatment",
           "operation_category_code", "vat_category", "vat_number_problem", "vat_on_debits"]
