"""The rule families; importing this package registers every rule (see registry.RULES)."""

from . import b2b, b2c, data, deposits, invoices, professions, quote, terms  # noqa: F401
from . import vat  # noqa: F401  (VAT reasons, rates, reverse charge: fr-rules.md §9)
