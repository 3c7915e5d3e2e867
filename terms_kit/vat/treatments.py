"""Why a line carries no French VAT, and what the documents and the e-invoice say about it.

One table (``EXEMPTIONS``) gives, for each reason an expert may choose, its article, the
mention the quote and invoices print (CGI 242 nonies A ann. II, 13°: an invoice without VAT
states the provision it relies on), the EN 16931 VAT category (BT-151 / BT-118) and the VATEX
exemption reason code (BT-121) of the Factur-X XML. Everything reads the spec dict only, so
the checker, the documents, the invoice service and the e-invoice agree by construction.

A line is in one of these states:
- no exemption, rate > 0: VAT charged at a French rate (category S);
- no exemption, 0 %: an error for a VAT-registered expert (checker rule tva.reason); it only
  means "franchise" when the expert is under the franchise (CGI 293 B), which is implied;
- an exemption code: no VAT on the line, the mention printed, the category of the table.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class VatExemption(models.TextChoices):
    NONE = "", _("None: VAT charged at the line's rate")
    FRANCHISE = "franchise", _("VAT franchise (art. 293 B CGI)")
    TRAINING = "training", _("Exempt: vocational training (art. 261-4-4° a CGI)")
    HEALTH = "health", _("Exempt: regulated medical and paramedical care (art. 261-4-1° CGI)")
    REVERSE_CHARGE = "reverse_charge", _(
        "Reverse charge: business client in another EU country (art. 283-2 CGI)")
    OUTSIDE_EU = "outside_eu", _("Client outside the EU (art. 259-1 CGI)")


@dataclass(frozen=True)
class Exemption:
    code: str
    category: str  # EN 16931 VAT category code
    vatex: str  # VATEX exemption reason code (CEF code list)
    article: str  # the provision, for findings and docs
    mention: dict  # language -> the sentence printed on quotes and invoices
    short: dict  # language -> the word printed in the lines table's VAT column


EXEMPTIONS = {
    "franchise": Exemption(
        "franchise", "E", "VATEX-FR-FRANCHISE", "CGI 293 B",
        {"fr": "TVA non applicable, art. 293 B du CGI",
         "en": "VAT not applicable, art. 293 B of the French tax code (TVA non applicable, "
               "art. 293 B du CGI)"},
        {"fr": "Non applicable", "en": "Not applicable"}),
    "training": Exemption(
        "training", "E", "VATEX-EU-132-1I", "CGI 261-4-4° a; directive 2006/112/CE art. 132-1 i",
        {"fr": "Exonération de TVA, art. 261-4-4° a du CGI",
         "en": "VAT exempt, art. 261-4-4° a of the French tax code (Exonération de TVA, "
               "art. 261-4-4° a du CGI)"},
        {"fr": "Exonérée", "en": "Exempt"}),
    "health": Exemption(
        "health", "E", "VATEX-EU-132-1C", "CGI 261-4-1°; directive 2006/112/CE art. 132-1 c",
        {"fr": "Exonération de TVA, art. 261-4-1° du CGI",
         "en": "VAT exempt, art. 261-4-1° of the French tax code (Exonération de TVA, "
               "art. 261-4-1° du CGI)"},
        {"fr": "Exonérée", "en": "Exempt"}),
    "reverse_charge": Exemption(
        "reverse_charge", "AE", "VATEX-EU-AE", "CGI 283-2; directive 2006/112/CE art. 196",
        {"fr": "Autoliquidation : TVA due par le preneur (art. 283-2 du CGI ; art. 196 de la "
               "directive 2006/112/CE)",
         "en": "Reverse charge: VAT due by the customer (Autoliquidation, art. 283-2 of the "
               "French tax code; art. 196 of Directive 2006/112/EC)"},
        {"fr": "Autoliquidation", "en": "Reverse charge"}),
    # Category O ("services outside scope of tax", VATEX-EU-O), not G: G is the export
    # exemption of goods leaving the EU (directive art. 146, CGI 262 I); a service to a
    # business established outside the EU is not exempt but supplied there (CGI 259-1°),
    # outside the scope of French VAT. EN 16931 then wants no VAT identifier in the XML
    # (BR-O-02) and no other category on the same invoice (BR-O-11 to 14): see
    # docs/einvoicing.md and the checker's rule tva.non_eu.
    "outside_eu": Exemption(
        "outside_eu", "O", "VATEX-EU-O", "CGI 259-1°",
        {"fr": "TVA non applicable – art. 259-1 du CGI",
         "en": "VAT not applicable, art. 259-1 of the French tax code (TVA non applicable – "
               "art. 259-1 du CGI)"},
        {"fr": "Non applicable", "en": "Not applicable"}),
}

# CGI 278 to 281 nonies: the rates of mainland France (Corsica and overseas aside).
FRENCH_RATES = tuple(Decimal(rate) for rate in ("20", "10", "5.5", "2.1"))

# Décret 2022-1299: the category of the operation printed on invoices (BT-? in the French
# CTC profile): B goods (livraison de biens), S services, M mixed.
OPERATION_CATEGORIES = {"services": "S", "goods": "B", "mixed": "M"}


@dataclass(frozen=True)
class Treatment:
    exemption: str  # a key of EXEMPTIONS, or "" when VAT is charged
    category: str  # EN 16931 code: S, E, AE, G, or Z for an unexplained 0 % (an error)
    rate: Decimal
    reason_code: str  # VATEX, "" when VAT is charged
    article: str

    def mention(self, lang="fr"):
        """The sentence the documents print for this line ("" when VAT is charged)."""
        return mention_of(self.exemption, lang)


def under_franchise(spec):
    return spec["identity"].get("vat_regime") == "franchise"


def line_exemption(spec, line):
    """The line's exemption code; under the franchise every line is "franchise" (CGI 293 B)."""
    if under_franchise(spec):
        return "franchise"
    return line.get("vat_exemption") or ""


def line_treatment(spec, line):
    """The ``Treatment`` of one line dict of ``spec["engagement"]["lines"]``."""
    exemption = line_exemption(spec, line)
    if exemption:
        known = EXEMPTIONS[exemption]
        return Treatment(exemption, known.category, Decimal("0"), known.vatex, known.article)
    rate = Decimal(str(line.get("vat_rate") or "0"))
    return Treatment("", "S" if rate else "Z", rate, "", "")


def vat_category(spec, line, lang="fr"):
    """(EN 16931 category code, reason text, VATEX reason code) of one line, for Factur-X."""
    treatment = line_treatment(spec, line)
    return treatment.category, treatment.mention(lang), treatment.reason_code


def exemption_mentions(spec, lang="fr"):
    """The distinct exemption mentions of the engagement's lines, in line order."""
    found = []
    for line in spec["engagement"]["lines"]:
        text = line_treatment(spec, line).mention(lang)
        if text and text not in found:
            found.append(text)
    return found


def mention_of(exemption, lang="fr"):
    """The mention of an exemption code ("" for none)."""
    if not exemption:
        return ""
    return EXEMPTIONS[exemption].mention.get(lang, EXEMPTIONS[exemption].mention["fr"])


def short_label(exemption, lang="fr"):
    if not exemption:
        return ""
    return EXEMPTIONS[exemption].short.get(lang, EXEMPTIONS[exemption].short["fr"])


def has_reverse_charge(spec):
    return any(line_exemption(spec, line) == "reverse_charge"
               for line in spec["engagement"]["lines"])


def operation_category_code(spec):
    """B (goods), S (services) or M (mixed), as the 2026 invoices print it."""
    return OPERATION_CATEGORIES[spec["engagement"].get("operation_category") or "services"]


def delivery_address(spec):
    """The delivery address when one is given (it differs from the client's), else None."""
    address = spec["engagement"].get("delivery_address") or {}
    if not any((address.get(key) or "").strip() for key in ("line1", "postcode", "city")):
        return None
    return {key: address.get(key, "") or "" for key in ("line1", "line2", "postcode", "city",
                                                         "country")}


def vat_on_debits(spec):
    """The expert opted to pay VAT on debits (CGI 269-2-c): invoices say so."""
    return bool(spec["identity"].get("vat_on_debits"))
