"""The rule families; importing this package registers every rule (see registry.RULES)."""

from . import (  # noqa: F401
    b2b,
    b2c,
    data,
    deposits,
    invoices,
    professions,
    quote,
    terms,
    vat,  # noqa: F401  (VAT reasons, rates, reverse charge: fr-rules.md §9)
)
