"""What the invoices born from this engagement will need: identities, VAT, 2026 mentions."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from stdnum.fr import siren as fr_siren

from ..formatting import day, number
from ..registry import rule


@rule("fac.core", "error", "C. com. L441-9; CGI 242 nonies A (ann. II)",
      _lazy("Invoices can carry the expert's SIREN, both parties' addresses and, when VAT is "
            "charged, the expert's VAT number"),
      field="identity.address")
def core_mentions(case):
    if not fr_siren.is_valid(case.identity.siren):
        yield "identity.siren", _(
            "Quotes and invoices must show your SIREN: fill in the 9-digit SIREN of your "
            "business identity, as on your INSEE notice."
        )
    if not case.identity.address.is_complete:
        yield "identity.address", _(
            "Invoices must show your full address: fill in the address, postcode and city of "
            "your business identity."
        )
    if not case.identity.under_vat_franchise and not case.identity.vat_number.strip():
        yield "identity.vat_number", _(
            "You charge VAT, so invoices must show your VAT number: fill in the VAT number of "
            "your business identity (FR + 2 characters + SIREN)."
        )
    if case.is_business and not case.client.address.is_complete:
        yield "client.address", _(
            "Invoices to a business must show its address: fill in the client's address, "
            "postcode and city."
        )


@rule("fac.franchise", "error", "CGI 293 B",
      _lazy("An expert under the VAT franchise charges no VAT"),
      field="engagement.lines", mention="vat_franchise")
def franchise_no_vat(case):
    if not case.identity.under_vat_franchise:
        return
    for index, line in enumerate(case.lines):
        if line.vat_rate:
            yield f"engagement.lines[{index}].vat_rate", _(
                "You are under the VAT franchise (art. 293 B CGI) yet line %(n)s charges "
                "%(rate)s %% VAT: set its VAT rate to 0 (documents then say “TVA non applicable, "
                "art. 293 B du CGI”), or change your VAT regime if you now charge VAT."
            ) % {"n": index + 1, "rate": number(line.vat_rate)}


@rule("fac.franchise_limit", "warning", "CGI 293 B (I and III)",
      _lazy("An engagement under the VAT franchise stays below the franchise's turnover limit"),
      field="identity.vat_regime")
def franchise_limit(case):
    if not case.identity.under_vat_franchise:
        return
    lawyer = case.identity.profession == "lawyer"
    limit = case.param("vat_franchise_lawyers_majore_eur" if lawyer
                       else "vat_franchise_services_majore_eur")
    if case.totals.total_excl_vat > limit:
        yield "identity.vat_regime", _(
            "This engagement alone (%(total)s EUR excl. VAT) is above the VAT franchise's limit "
            "of %(limit)s EUR for the year: from the day your turnover passes it you charge VAT. "
            "Check your VAT regime with your accountant."
        ) % {"total": number(case.totals.total_excl_vat), "limit": number(limit)}


@rule("fac.2026_mentions", "error", "CGI 242 nonies A as amended by décret 2022-1299; "
      "décret 2024-266",
      _lazy("From the expert's e-invoicing start, invoices to a French business show the "
            "client's SIREN, and a delivery address given elsewhere is complete"),
      field="client.siren")
def einvoicing_mentions(case):
    """Reported once the quote's invoices may fall on or after the start: the quote is issued
    then, or its service runs then (its invoices are issued at the latest at the end).
    services/invoicing.py refuses the invoice itself on the same grounds
    (terms_kit/vat/einvoicing.py)."""
    start = case.identity.einvoicing_from or case.param("einvoicing_issue_sme_from")
    last_day = max(when for when in (case.on, case.start_date, case.end_date) if when)
    if last_day < start:
        return
    french_business = case.is_business and case.client.in_france
    if french_business and not fr_siren.is_valid(case.client.siren or ""):
        yield "client.siren", _(
            "From %(start)s your invoices to businesses must show the client's SIREN: fill in a "
            "valid 9-digit SIREN for this client."
        ) % {"start": day(start)}
    delivery = case.delivery_address
    if delivery is not None and not delivery.is_complete:
        yield "engagement.delivery_address", _(
            "From %(start)s invoices show the delivery address when it differs from the "
            "client's: complete its address, postcode and city, or leave all three empty when "
            "it is the client's address."
        ) % {"start": day(start)}
