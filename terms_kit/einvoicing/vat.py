"""The VAT category of each breakdown an invoice prints, for the CII builder.

EN 16931 asks, for every VAT breakdown of an invoice, a category code (UNTDID 5305: S
standard, E exempt, AE reverse charge, O outside the scope of VAT, Z zero rated) and,
unless the category is S, a reason (BT-120 text, BT-121 VATEX code). The decision is the one
the documents print: ``terms_kit.vat.vat_category`` reads the line's ``vat_exemption`` (or
the expert's franchise), so the XML and the PDF can never disagree.
"""

from dataclasses import dataclass
from decimal import Decimal

from ..vat import vat_category


@dataclass(frozen=True)
class VatTreatment:
    category: str  # UNTDID 5305
    rate: Decimal
    reason: str = ""  # BT-120 (empty for S)
    reason_code: str = ""  # BT-121 (VATEX)


def vat_treatment(spec, rate, exemption="", lang="fr"):
    """The VAT category and reason of the breakdown ``(rate, exemption)`` of this spec.
    A VAT-registered 0 % with no reason comes out as Z: the checker refuses it and invoicing
    never issues one, so only a hand-made spec reaches it."""
    rate = Decimal(rate)
    line = {"vat_rate": f"{rate:.2f}", "vat_exemption": exemption or ""}
    code, reason, reason_code = vat_category(spec, line, lang)
    return VatTreatment(code, rate, reason, reason_code)
