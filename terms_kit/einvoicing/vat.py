"""The VAT category of each breakdown an invoice prints: ONE function, read by the CII builder.

EN 16931 asks, for every VAT breakdown of an invoice, a category code (UNTDID 5305: S
standard, E exempt, AE reverse charge, K intra-EU goods, G export, O outside scope, Z zero
rated) and, unless the category is S, a reason (BT-120 text, BT-121 VATEX code).

``vat_treatment(spec, rate, exemption)`` is the only place the XML gets it from. The
legal-vat work (issue 15; /work/signals/vat-api.md) adds ``terms_kit.vat.vat_category(spec,
line, lang)``, which decides the same for the PDF: when that module is installed this function
asks it, so the XML and the PDF print one decision. Until it is, the treatment is derived here
from what the spec says (the expert's VAT regime, the rate, a line's ``vat_exemption`` when
present, the client's country and VAT number), with the same codes and mentions.
"""

from dataclasses import dataclass
from decimal import Decimal

# EU member states (ISO 3166 alpha-2; Greece's VAT prefix is EL, its country code GR).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)

# exemption code -> (category, VATEX code, the mention printed on the document)
EXEMPTIONS = {
    "franchise": ("E", "VATEX-FR-FRANCHISE", "TVA non applicable, art. 293 B du CGI"),
    "training": ("E", "VATEX-EU-132-1I", "Exonération de TVA, art. 261-4-4° a du CGI"),
    "health": ("E", "VATEX-EU-132-1C", "Exonération de TVA, art. 261-4-1° du CGI"),
    "reverse_charge": ("AE", "VATEX-EU-AE", "Autoliquidation (art. 283-2 du CGI ; art. 196 "
                                            "de la directive 2006/112/CE)"),
    # G, not O: BR-O-02 forbids the seller's VAT number on an O invoice, and a French
    # VAT-registered seller must print it.
    "outside_eu": ("G", "VATEX-EU-G", "TVA non applicable – art. 259-1 du CGI"),
}
FRANCHISE_REASON = EXEMPTIONS["franchise"][2]


@dataclass(frozen=True)
class VatTreatment:
    category: str  # UNTDID 5305
    rate: Decimal
    reason: str = ""  # BT-120 (empty for S)
    reason_code: str = ""  # BT-121 (VATEX)


def client_country(spec):
    return ((spec["client"].get("address") or {}).get("country") or "FR").upper()


def _shared_decision():
    """terms_kit.vat.vat_category once the legal-vat work is installed, else None."""
    try:
        from ..vat import vat_category
    except ImportError:
        return None
    return vat_category


def derived_exemption(spec, rate):
    """The exemption a 0 % breakdown falls under, from the spec alone (no line says it)."""
    if Decimal(rate) > 0:
        return ""
    if spec["identity"].get("vat_regime") == "franchise":
        return "franchise"
    client, country = spec["client"], client_country(spec)
    if client.get("kind") == "business" and country != "FR":
        if country not in EU_COUNTRIES:
            return "outside_eu"
        if client.get("vat_number"):  # B2B service to another member state
            return "reverse_charge"
    return ""


def vat_treatment(spec, rate, exemption="", lang="fr"):
    """The VAT category and reason of the breakdown ``(rate, exemption)`` of this spec."""
    rate = Decimal(rate)
    decide = _shared_decision()
    if decide is not None:
        line = {"vat_rate": f"{rate:.2f}", "vat_exemption": exemption or ""}
        code, reason, reason_code = decide(spec, line, lang)
        return VatTreatment(code, rate, reason, reason_code)
    exemption = exemption or derived_exemption(spec, rate)
    if exemption in EXEMPTIONS:
        category, code, reason = EXEMPTIONS[exemption]
        return VatTreatment(category, rate, reason, code)
    if rate > 0:
        return VatTreatment("S", rate)
    # A VAT-registered seller at 0 % with no reason: EN 16931 has no honest category for it
    # (legal-vat refuses to issue such an invoice); Z keeps the XML true to the document.
    return VatTreatment("Z", rate)
