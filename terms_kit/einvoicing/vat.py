"""The VAT category of each rate an invoice prints: ONE function, read by the CII builder.

EN 16931 asks, for every VAT rate of an invoice, a category code (UNTDID 5305: S standard,
E exempt, AE reverse charge, K intra-EU goods, G export, O outside scope, Z zero rated) and,
unless the category is S, a reason (BT-120 text, BT-121 VATEX code).

``vat_treatment(spec, rate)`` is the only place that decides it. Until the engagement spec
carries the VAT treatment itself (issue 15, the "legal-vat" work: category and exemption
reason chosen by the expert and checked by the compliance checker), it is derived from what
the spec already says: the expert's VAT regime, the rate, the client's country and VAT
number. When the spec carries ``engagement.vat`` (``category``, ``reason``, ``reason_code``)
those win: point this function at that API then, and nothing else changes.
"""

from dataclasses import dataclass
from decimal import Decimal

# EU member states (ISO 3166 alpha-2; Greece's VAT prefix is EL, its country code GR).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)

# The legal reasons printed on the PDF and carried in the XML (French law; the VATEX codes
# are the CEF list the EN 16931 schematron accepts).
FRANCHISE_REASON = "TVA non applicable, art. 293 B du CGI"
FRANCHISE_CODE = "VATEX-FR-FRANCHISE"
REVERSE_CHARGE_REASON = "Autoliquidation (art. 283-2 et 259-1 du CGI ; art. 196 directive 2006/112/CE)"
REVERSE_CHARGE_CODE = "VATEX-EU-AE"
EXPORT_REASON = "Exonération de TVA, art. 259-1 du CGI (preneur établi hors de l'UE)"
EXPORT_CODE = "VATEX-EU-G"
EXEMPT_REASON = "Exonération de TVA (art. 261 du CGI)"


@dataclass(frozen=True)
class VatTreatment:
    category: str  # UNTDID 5305
    rate: Decimal
    reason: str = ""  # BT-120 (empty for S)
    reason_code: str = ""  # BT-121 (VATEX)

    @property
    def standard(self):
        return self.category == "S"


def client_country(spec):
    return ((spec["client"].get("address") or {}).get("country") or "FR").upper()


def vat_treatment(spec, rate):
    """The VAT category and reason of ``rate`` (a Decimal percentage) on this spec's invoices."""
    rate = Decimal(rate)
    chosen = spec["engagement"].get("vat") or {}
    if chosen.get("category"):  # the expert's choice, once the spec carries it
        return VatTreatment(chosen["category"], rate, chosen.get("reason", ""),
                            chosen.get("reason_code", ""))
    if rate > 0:
        return VatTreatment("S", rate)
    if spec["identity"].get("vat_regime") == "franchise":
        return VatTreatment("E", rate, FRANCHISE_REASON, FRANCHISE_CODE)
    client = spec["client"]
    country = client_country(spec)
    if client.get("kind") == "business" and country != "FR":
        if country in EU_COUNTRIES and client.get("vat_number"):
            # B2B service to another member state: the client accounts for the VAT.
            return VatTreatment("AE", rate, REVERSE_CHARGE_REASON, REVERSE_CHARGE_CODE)
        if country not in EU_COUNTRIES:
            return VatTreatment("G", rate, EXPORT_REASON, EXPORT_CODE)
    return VatTreatment("E", rate, EXEMPT_REASON, "")
