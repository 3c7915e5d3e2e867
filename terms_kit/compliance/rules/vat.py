"""VAT on each line: a reason for every line without VAT, French rates only, reverse charge
for EU businesses, and the mention of the rule for clients outside the EU (fr-rules.md §9).

The reasons and their mentions are one table (terms_kit/vat/treatments.py) that the documents
and the e-invoice read too: what the checker accepts is what the invoice prints.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ...vat import FRENCH_RATES, is_eu_country, vat_number_problem
from ..formatting import number
from ..registry import rule

HUNDRED = 100
RATES_TEXT = "20, 10, 5.5 or 2.1"  # the figures of FRENCH_RATES, said in messages


def _path(index):
    return f"engagement.lines[{index}]"


def _registered(case):
    return not case.identity.under_vat_franchise


@rule("tva.reason", "error", "CGI ann. II 242 nonies A (13°)",
      _lazy("A line without VAT from a VAT-registered expert states the legal reason (exemption, "
            "reverse charge, client outside the EU)"),
      field="engagement.lines")
def reason_for_no_vat(case):
    if not _registered(case):
        return
    for index, line in enumerate(case.lines):
        if line.vat_rate == 0 and not line.vat_exemption:
            yield f"{_path(index)}.vat_exemption", _(
                "Line %(n)s carries no VAT but does not say why: “TVA 0 %%” is not a French rate. "
                "Choose its reason for no VAT (vocational training, art. 261-4-4° a CGI; "
                "medical or paramedical care, art. 261-4-1° CGI; business client in another EU "
                "country, reverse charge, art. 283-2 CGI; client outside the EU, art. 259-1 "
                "CGI), or charge VAT at a French rate (%(rates)s %%)."
            ) % {"n": index + 1, "rates": RATES_TEXT}
        elif line.vat_exemption == "franchise":
            yield f"{_path(index)}.vat_exemption", _(
                "Line %(n)s gives the VAT franchise (art. 293 B CGI) as its reason, but your "
                "VAT regime is “VAT charged”: choose the line's real reason, or change your VAT "
                "regime if you are under the franchise."
            ) % {"n": index + 1}
        elif line.vat_exemption and line.vat_rate:
            yield f"{_path(index)}.vat_rate", _(
                "Line %(n)s has a reason for no VAT yet charges %(rate)s %% VAT: set its rate to "
                "0, or remove the reason if VAT is due."
            ) % {"n": index + 1, "rate": number(line.vat_rate)}


@rule("tva.rates", "error", "CGI 278 to 281 nonies",
      _lazy("A VAT-registered expert charges only French VAT rates (20, 10, 5.5, 2.1 %)"),
      field="engagement.lines")
def french_rates_only(case):
    if not _registered(case):
        return
    for index, line in enumerate(case.lines):
        if 0 < line.vat_rate <= HUNDRED and line.vat_rate not in FRENCH_RATES:
            yield f"{_path(index)}.vat_rate", _(
                "Line %(n)s charges %(rate)s %% VAT, which is not a French rate (art. 278 to 281 "
                "nonies CGI): use %(rates)s %%. A foreign rate is never charged by a French "
                "expert; a client in another EU country is invoiced without VAT (reverse "
                "charge), which you choose as the line's reason for no VAT."
            ) % {"n": index + 1, "rate": number(line.vat_rate), "rates": RATES_TEXT}


@rule("tva.b2b_eu", "error", "CGI 259-1°, 283-2; CGI ann. II 242 nonies A (13°); "
      "directive 2006/112/CE art. 196",
      _lazy("Reverse charge (“Autoliquidation”) only for a business in another EU country, "
            "whose valid intra-EU VAT number the invoice shows"),
      field="client.vat_number")
def reverse_charge(case):
    lines = [i for i, line in enumerate(case.lines) if line.vat_exemption == "reverse_charge"]
    if not lines:
        return
    first = f"{_path(lines[0])}.vat_exemption"
    client = case.client
    if not case.is_business:
        yield first, _(
            "Line %(n)s is under reverse charge, which only applies to a business client: a "
            "private person pays the VAT. Choose another reason or charge VAT."
        ) % {"n": lines[0] + 1}
        return
    if client.in_france:
        yield first, _(
            "Line %(n)s is under reverse charge but the client is established in France, where "
            "it pays French VAT: charge VAT, or correct the client's country if it is "
            "established in another EU country."
        ) % {"n": lines[0] + 1}
        return
    if not is_eu_country(client.country):
        yield first, _(
            "Line %(n)s is under reverse charge but the client's country (%(country)s) is not "
            "in the EU: choose “Client outside the EU (art. 259-1 CGI)” instead."
        ) % {"n": lines[0] + 1, "country": client.country}
        return
    if not client.vat_number.strip():
        yield "client.vat_number", _(
            "Under reverse charge the invoice must show the client's intra-EU VAT number "
            "(art. 242 nonies A ann. II CGI): fill in the client's VAT number."
        )
        return
    problem = vat_number_problem(client.vat_number)
    if problem:
        yield "client.vat_number", problem


@rule("tva.non_eu", "error", "CGI 259-1°; EN 16931 BR-O-11",
      _lazy("“TVA non applicable – art. 259-1 du CGI” only for a client outside the EU"),
      field="client.address")
def outside_eu(case):
    for index, line in enumerate(case.lines):
        if line.vat_exemption == "outside_eu" and (case.client.in_france
                                                   or is_eu_country(case.client.country)):
            yield f"{_path(index)}.vat_exemption", _(
                "Line %(n)s says the client is outside the EU, but its address is in "
                "%(country)s: correct the client's country, or choose reverse charge for a "
                "business in another EU country (or charge VAT in France)."
            ) % {"n": index + 1, "country": case.client.country or "FR"}
            return
    outside = [line.vat_exemption == "outside_eu" for line in case.lines]
    if any(outside) and not all(outside):
        # EN 16931 BR-O-11 to 14: an invoice outside the scope of VAT (category O) has no
        # other VAT category, so its e-invoice could not be made.
        index = outside.index(False)
        yield f"{_path(index)}.vat_exemption", _(
            "Line %(n)s is not under “Client outside the EU (art. 259-1 CGI)” while other "
            "lines are: an e-invoice outside the scope of French VAT cannot mix it with "
            "another VAT treatment (EN 16931 BR-O-11). Give every line the same reason, or "
            "put the line taxed in France in an engagement of its own."
        ) % {"n": index + 1}


@rule("tva.place", "warning", "CGI 259-1°, 259 B, 283-2",
      _lazy("French VAT charged to a business client outside France, or art. 259-1 used for a "
            "private client"),
      field="engagement.lines")
def place_of_supply(case):
    """The general rule for services (the place of the business client) has exceptions
    (property in France, events, passenger transport), so these are warnings: the expert
    checks, the checker does not decide."""
    client = case.client
    for index, line in enumerate(case.lines):
        if (case.is_business and not client.in_france and line.vat_rate > 0
                and _registered(case)):
            yield f"{_path(index)}.vat_exemption", _(
                "Line %(n)s charges French VAT to a business established in %(country)s. As a "
                "rule, services to a business abroad are taxed where it is established (art. "
                "259-1 CGI): no French VAT, with reverse charge in the EU. Choose the line's "
                "reason for no VAT unless an exception applies (e.g. a service linked to a "
                "property in France)."
            ) % {"n": index + 1, "country": client.country}
            return
        if line.vat_exemption == "outside_eu" and case.is_consumer:
            yield f"{_path(index)}.vat_exemption", _(
                "Line %(n)s uses art. 259-1 CGI, which is for business clients. A private "
                "client outside the EU pays French VAT except for the services listed in art. "
                "259 B CGI (consulting, legal, accounting, data processing, ...): check that "
                "yours is one of them."
            ) % {"n": index + 1}
            return


@rule("tva.debits", "info", "CGI 269-2-c; décret 2022-1299",
      _lazy("An expert who opted for VAT on debits says so on invoices"),
      field="identity.vat_on_debits")
def vat_on_debits(case):
    if case.identity.vat_on_debits and _registered(case):
        yield "identity.vat_on_debits", _(
            "You opted to pay VAT on debits: your invoices will state “Option pour le paiement "
            "de la taxe d'après les débits”."
        )
