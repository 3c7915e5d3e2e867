"""The CII XML (UN/CEFACT Cross Industry Invoice D16B) of an issued invoice, profile EN 16931.

Built from the document's own snapshot (``{"spec": ..., "extras": {"invoice": ...}}``, what
``documents.generation.render`` turned into the DOCX, hence the PDF) through the same
template context the PDF is printed from: the XML cannot say other figures than the page.

Amounts, as services/invoicing.py issued them:
- the lines: an invoice that bills the engagement's lines as accepted (a final invoice or an
  act) carries those lines; any other (deposit, milestone, credit note, a final invoice
  billed for less) carries one line per VAT rate of its ``rows``, named by its title, since
  its amounts are shares of the price, not lines of it;
- BT-106/109/110/112 are the snapshot's ``excl_vat``/``vat``/``incl_vat``;
- BT-113 (paid amount) is what earlier invoices billed (``deducted``, deductions by number in
  a note) plus what was received for this invoice (a deposit invoice is issued when the
  money arrives); BT-115 (amount due) is the rest.

Each VAT rate's category and reason come from ``vat.vat_treatment`` (one function).
"""

import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from .. import money
from ..documents import rules
from ..documents.context import build_context
from .vat import vat_treatment

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

PROFILE_EN16931 = "urn:cen.eu:en16931:2017"
CURRENCY = "EUR"

# UNTDID 1001 document types.
COMMERCIAL_INVOICE = "380"
PREPAYMENT_INVOICE = "386"  # a deposit (acompte) invoice
CREDIT_NOTE = "381"
TYPE_CODE = {"deposit": PREPAYMENT_INVOICE, "milestone": COMMERCIAL_INVOICE,
             "final": COMMERCIAL_INVOICE, "act": COMMERCIAL_INVOICE, "credit_note": CREDIT_NOTE}
# The invoice kinds (Invoice.kind) that are e-invoices; a receipt is not an invoice.
EINVOICE_KINDS = tuple(TYPE_CODE)

# UN/ECE rec. 20 units for the spec's free-text units; anything else is "one" (C62).
UNITS = {"heure": "HUR", "heures": "HUR", "hour": "HUR", "hours": "HUR", "h": "HUR",
         "jour": "DAY", "jours": "DAY", "day": "DAY", "days": "DAY",
         "mois": "MON", "month": "MON", "months": "MON"}

# BT-8: VAT falls due on payment (services, CGI 269-2-c) unless the expert opted for debits.
VAT_ON_PAYMENT = "72"
# UNTDID 5305 "O", services outside the scope of the tax (vat/treatments.py "outside_eu").
OUTSIDE_SCOPE = "O"
VAT_ON_INVOICE_DATE = "5"


class EInvoiceDataError(ValueError):
    """The snapshot lacks what an EN 16931 invoice must carry (said in the message)."""


def _amount(value):
    return f"{money.to_cents(value):.2f}"


def _decimal(value):
    text = f"{Decimal(value).normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def _rate(value):
    return f"{Decimal(value):.2f}"


def _date(value):
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return value.strftime("%Y%m%d")


def add(parent, tag, text=None, **attributes):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = str(text)
    return element


def _date_element(parent, tag, value, qualified=False):
    holder = add(parent, tag)
    add(holder, "qdt:DateTimeString" if qualified else "udt:DateTimeString", _date(value),
        format="102")


def _party(parent, tag, name, siren, vat_number, address, email, tax_id_fallback=None):
    party = add(parent, tag)
    add(party, "ram:Name", name)
    if siren:
        organisation = add(party, "ram:SpecifiedLegalOrganization")
        add(organisation, "ram:ID", siren, schemeID="0002")  # ISO 6523: SIRENE
    _address(party, address)
    if email:
        uri = add(party, "ram:URIUniversalCommunication")
        add(uri, "ram:URIID", email, schemeID="EM")
    if vat_number:
        registration = add(party, "ram:SpecifiedTaxRegistration")
        add(registration, "ram:ID", vat_number.replace(" ", ""), schemeID="VA")
    elif tax_id_fallback:
        registration = add(party, "ram:SpecifiedTaxRegistration")
        add(registration, "ram:ID", tax_id_fallback, schemeID="FC")
    return party


def _address(parent, address):
    address = address or {}
    postal = add(parent, "ram:PostalTradeAddress")
    if address.get("postcode"):
        add(postal, "ram:PostcodeCode", address["postcode"])
    if address.get("line1"):
        add(postal, "ram:LineOne", address["line1"])
    if address.get("line2"):
        add(postal, "ram:LineTwo", address["line2"])
    if address.get("city"):
        add(postal, "ram:CityName", address["city"])
    add(postal, "ram:CountryID", (address.get("country") or "FR").upper())


def _delivery_address(spec):
    """The engagement's delivery address (spec ``engagement.delivery_address``) when it is
    given and differs from the client's, else None."""
    place = spec["engagement"].get("delivery_address") or {}
    if not any(place.get(key) for key in ("line1", "postcode", "city")):
        return None
    mine = spec["client"].get("address") or {}
    keys = ("line1", "line2", "postcode", "city", "country")
    if all((place.get(key) or "") == (mine.get(key) or "") for key in keys):
        return None
    return place


def _line(parent, number, name, quantity, unit, price, net, treatment, discount=None):
    item = add(parent, "ram:IncludedSupplyChainTradeLineItem")
    add(add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
    add(add(item, "ram:SpecifiedTradeProduct"), "ram:Name", name)
    agreement = add(item, "ram:SpecifiedLineTradeAgreement")
    add(add(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _decimal(price))
    delivery = add(item, "ram:SpecifiedLineTradeDelivery")
    add(delivery, "ram:BilledQuantity", _decimal(quantity), unitCode=unit)
    settlement = add(item, "ram:SpecifiedLineTradeSettlement")
    _tax(settlement, treatment, header=False)
    if discount:
        allowance = add(settlement, "ram:SpecifiedTradeAllowanceCharge")
        add(add(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
        add(allowance, "ram:ActualAmount", _amount(discount))
        add(allowance, "ram:ReasonCode", "95")  # UNTDID 5189: discount
        add(allowance, "ram:Reason", _("Discount"))
    summation = add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    add(summation, "ram:LineTotalAmount", _amount(net))


def _tax(parent, treatment, header, base=None, vat=None, due_code=None):
    tax = add(parent, "ram:ApplicableTradeTax")
    if header:
        add(tax, "ram:CalculatedAmount", _amount(vat))
    add(tax, "ram:TypeCode", "VAT")
    if header and treatment.reason:
        add(tax, "ram:ExemptionReason", treatment.reason)
    if header:
        add(tax, "ram:BasisAmount", _amount(base))
    add(tax, "ram:CategoryCode", treatment.category)
    if header and treatment.reason_code:
        add(tax, "ram:ExemptionReasonCode", treatment.reason_code)
    if header and due_code and treatment.category == "S":
        add(tax, "ram:DueDateTypeCode", due_code)
    if treatment.category != OUTSIDE_SCOPE:  # BR-O-05/BR-O-?: "O" carries no rate
        add(tax, "ram:RateApplicablePercent", _rate(treatment.rate))
    return tax


def _key(rate, exemption=""):
    """A VAT breakdown key: the rate and, once the spec carries it, the line's exemption
    (a reverse-charged 0 % and an exempt 0 % are two breakdowns)."""
    return Decimal(rate), exemption or ""


def _row_keys(figures):
    return [_key(row["rate"], row.get("exemption")) for row in figures.get("rows", [])]


def _lines_of(context, spec, figures):
    """(name, quantity, unit, price, net, key, discount) of each line the XML carries."""
    invoice = context["invoice"]
    rows = list(zip(invoice["rows"], _row_keys(figures), strict=True))
    shown = [(row, key) for row, key in rows if row["base"] or row["vat"]] or rows
    spec_lines = spec["engagement"]["lines"]
    accepted = {}
    for line, spec_line in zip(context["lines"], spec_lines, strict=True):
        key = _key(line["vat_rate"], spec_line.get("vat_exemption"))
        accepted[key] = accepted.get(key, money.ZERO) + line["net"]
    billed_as_accepted = (
        figures.get("kind") in ("final", "act") and not figures.get("reduction")
        and {key: row["base"] for row, key in rows} == accepted
    )
    if billed_as_accepted:
        result = []
        for line, spec_line in zip(context["lines"], spec_lines, strict=True):
            # The line's net is rounded once (money.py rule 1); a discount is a line allowance.
            gross = money.to_cents(line["quantity"] * line["unit_price"])
            discount = gross - line["net"] if line["discount_percent"] else None
            result.append((line["description"], line["quantity"],
                           UNITS.get((line["unit"] or "").strip().lower(), "C62"),
                           line["unit_price"], line["net"],
                           _key(line["vat_rate"], spec_line.get("vat_exemption")),
                           discount if discount and discount > 0 else None))
        return result
    title = invoice["title"] or context["engagement"]["title"] or invoice["number"]
    many = len(shown) > 1
    return [(f"{title} ({_rate(row['rate'])} %)" if many else title, Decimal("1"), "C62",
             row["base"], row["base"], key, None) for row, key in shown]


def _notes(document, context, spec, figures, treatments):
    """BT-22 notes: what the PDF says that the structured fields cannot (each with its
    UNTDID 4451 subject): deductions by number, the reason of a credit note, the B2B
    payment mentions (C. com. L441-9, D441-5), the VAT mentions."""
    invoice, payment = context["invoice"], context["payment"]
    notes = []
    if invoice["title"]:
        notes.append((invoice["title"], "AAI"))
    for item in invoice["deductions"]:
        notes.append((_("Deducted: invoice %(reference)s, %(amount)s EUR") % {
            "reference": item["reference"] or "-", "amount": _amount(item["amount"])}, "AAI"))
    if invoice["reason"]:
        notes.append((invoice["reason"], "AAI"))
    if rules.is_sole_trader(spec):
        notes.append((_("Sole trader (EI)"), "REG"))
    vat_number = spec["identity"].get("vat_number")
    if vat_number and any(t.category == OUTSIDE_SCOPE for t in treatments):
        # Printed on the PDF (CGI ann. II 242 nonies A, 2°) but barred from BT-31 here.
        notes.append((_("Seller's VAT number: %(number)s") % {
            "number": vat_number.replace(" ", "")}, "REG"))
    # BR-FR-06: one TXD note at most, so every VAT mention goes into it.
    mentions = list(dict.fromkeys(t.reason for t in treatments if t.reason))
    if spec["identity"].get("vat_on_debits") and not context["rules"]["vat_franchise"]:
        mentions.append(_("VAT on debits option."))
    if mentions:
        notes.append((" ; ".join(mentions), "TXD"))
    # BR-FR-05 wants the three payment mentions on every invoice; a consumer owes neither
    # the B2B penalties nor the 40 EUR indemnity, and the notes say so.
    if context["rules"]["b2b_terms"]:
        rate = payment["late_penalty_rate"]
        notes.append((_("Late payment penalties: %(rate)s %% a year.") % {
            "rate": _decimal(rate)} if rate is not None else
            _("Late payment penalties: three times the legal interest rate."), "PMD"))
        notes.append((_("Fixed indemnity for recovery costs in case of late payment: "
                        "%(amount)s EUR (C. com. D441-5).") % {
                            "amount": _amount(payment["recovery_indemnity"]
                                              or Decimal(rules.RECOVERY_INDEMNITY_EUR))}, "PMT"))
    else:
        notes.append((_("Late payment: interest at the legal rate (consumer client)."), "PMD"))
        notes.append((_("No fixed indemnity for recovery costs: the client is not a "
                        "business."), "PMT"))
    if payment["discount_percent"]:
        notes.append((_("Early-payment discount: %(percent)s %% within %(days)s days.") % {
            "percent": _decimal(payment["discount_percent"]),
            "days": payment["discount_days"]}, "AAB"))
    else:
        notes.append((_("No discount for early payment."), "AAB"))
    for content, subject in notes:
        note = add(document, "ram:IncludedNote")
        add(note, "ram:Content", content)
        add(note, "ram:SubjectCode", subject)


def build_cii(snapshot, lang=None):
    """The CII XML (bytes, UTF-8) of an issued invoice document's ``snapshot``."""
    spec, extras = snapshot["spec"], snapshot.get("extras") or {}
    figures = extras.get("invoice") or {}
    if not figures.get("number"):
        raise EInvoiceDataError("An e-invoice is made for an issued invoice only: the "
                                "snapshot has no invoice number.")
    kind = figures.get("kind")
    if kind not in TYPE_CODE:
        raise EInvoiceDataError(f"Invoice kind {kind!r} is not an e-invoice; use one of "
                                f"{', '.join(EINVOICE_KINDS)}.")
    lang = lang or spec["engagement"].get("language") or "fr"
    with translation.override(lang):
        return _build(spec, figures, kind, lang)


def _build(spec, figures, kind, lang):
    context = build_context(spec, kind_document(kind), lang, {"invoice": figures})
    invoice = context["invoice"]
    identity, client = spec["identity"], spec["client"]
    lines = _lines_of(context, spec, figures)
    treatments = {}
    for _name, _qty, _unit, _price, _net, key, _discount in lines:
        treatments.setdefault(key, vat_treatment(spec, *key, lang=lang))

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context_element = add(root, "rsm:ExchangedDocumentContext")
    paid_now = invoice["paid"] if invoice["received_on"] and invoice["paid"] else money.ZERO
    due = invoice["net"] - paid_now
    add(add(context_element, "ram:BusinessProcessSpecifiedDocumentContextParameter"),
        "ram:ID", business_process(kind, invoice, paid_now, due, spec))
    add(add(context_element, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID",
        PROFILE_EN16931)
    document = add(root, "rsm:ExchangedDocument")
    add(document, "ram:ID", invoice["number"])
    add(document, "ram:TypeCode", TYPE_CODE[kind])
    _date_element(document, "ram:IssueDateTime", invoice["date"])
    _notes(document, context, spec, figures, treatments.values())

    transaction = add(root, "rsm:SupplyChainTradeTransaction")
    for index, (name, quantity, unit, price, net, key, discount) in enumerate(lines, 1):
        _line(transaction, index, name, quantity, unit, price, net, treatments[key], discount)

    agreement = add(transaction, "ram:ApplicableHeaderTradeAgreement")
    seller_name = identity["legal_name"]
    # EN 16931 BR-O-02: an invoice outside the scope of VAT ("O") carries neither party's
    # VAT identifier (BT-31, BT-48); the seller's stays in a REG note, as the PDF prints it.
    outside_scope = any(t.category == OUTSIDE_SCOPE for t in treatments.values())
    seller_vat = "" if outside_scope else identity.get("vat_number")
    # BR-E-02: an exempt ("E") invoice names a seller VAT (BT-31) or tax registration
    # (BT-32). A seller under the franchise often has no VAT number; the spec has no tax
    # number field, so its SIREN, by which the tax office (SIE) knows the business, is
    # given as BT-32 (scheme FC) then, and only then (docs/einvoicing.md).
    exempt = any(t.category == "E" for t in treatments.values())
    _party(agreement, "ram:SellerTradeParty", seller_name, identity.get("siren"),
           seller_vat, identity.get("address"), identity.get("email"),
           tax_id_fallback=identity.get("siren") if exempt and not seller_vat else None)
    _party(agreement, "ram:BuyerTradeParty", client["name"], client.get("siren"),
           "" if outside_scope else client.get("vat_number"), client.get("address"),
           client.get("email"))
    if spec["engagement"].get("number"):
        contract = add(agreement, "ram:ContractReferencedDocument")
        add(contract, "ram:IssuerAssignedID", spec["engagement"]["number"])

    delivery = add(transaction, "ram:ApplicableHeaderTradeDelivery")
    place = _delivery_address(spec)
    if place:  # décret 2022-1299: the delivery address when it differs from the client's
        ship_to = add(delivery, "ram:ShipToTradeParty")
        add(ship_to, "ram:Name", client["name"])
        _address(ship_to, place)

    settlement = add(transaction, "ram:ApplicableHeaderTradeSettlement")
    add(settlement, "ram:PaymentReference", invoice["number"])
    add(settlement, "ram:InvoiceCurrencyCode", CURRENCY)
    transfer = invoice["transfer"]
    iban = (transfer or {}).get("iban") or identity.get("iban")
    if iban and kind != "credit_note":
        means = add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        add(means, "ram:TypeCode", "58")  # SEPA credit transfer
        account = add(means, "ram:PayeePartyCreditorFinancialAccount")
        add(account, "ram:IBANID", iban.replace(" ", ""))
        bic = (transfer or {}).get("bic") or identity.get("bic")
        if bic:
            add(add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID",
                bic.replace(" ", ""))
    due_code = VAT_ON_INVOICE_DATE if identity.get("vat_on_debits") else VAT_ON_PAYMENT
    row_keys = _row_keys(figures)
    for key, treatment in treatments.items():
        rows = [row for row, row_key in zip(invoice["rows"], row_keys, strict=True)
                if row_key == key]
        base = sum((row["base"] for row in rows), money.ZERO)
        vat = sum((row["vat"] for row in rows), money.ZERO)
        _tax(settlement, treatment, header=True, base=base, vat=vat, due_code=due_code)
    terms = add(settlement, "ram:SpecifiedTradePaymentTerms")
    add(terms, "ram:Description", _payment_terms(kind, invoice, paid_now, due))
    if due <= 0 and invoice["received_on"]:
        # Already paid (BR-FR-CO-09): the due date is the day the money was received.
        _date_element(terms, "ram:DueDateDateTime", invoice["received_on"])
    elif invoice["due_date"]:
        _date_element(terms, "ram:DueDateDateTime", invoice["due_date"])
    summation = add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    line_total = sum((line[4] for line in lines), money.ZERO)
    add(summation, "ram:LineTotalAmount", _amount(line_total))
    add(summation, "ram:TaxBasisTotalAmount", _amount(invoice["excl_vat"]))
    add(summation, "ram:TaxTotalAmount", _amount(invoice["vat"]), currencyID=CURRENCY)
    add(summation, "ram:GrandTotalAmount", _amount(invoice["incl_vat"]))
    add(summation, "ram:TotalPrepaidAmount", _amount(invoice["deducted"] + paid_now))
    add(summation, "ram:DuePayableAmount", _amount(due))
    corrects = invoice["corrects"] or {}
    if corrects.get("number"):
        referenced = add(settlement, "ram:InvoiceReferencedDocument")
        add(referenced, "ram:IssuerAssignedID", corrects["number"])
        if corrects.get("date"):
            _date_element(referenced, "ram:FormattedIssueDateTime", corrects["date"],
                          qualified=True)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


OPERATION_CATEGORY = {"services": "S", "goods": "B", "mixed": "M"}


def business_process(kind, invoice, paid_now, due, spec):
    """BT-23, the French invoicing framework (cadre de facturation): the category of
    operation (S services, the default; B goods; M mixed) and 1 an invoice to pay, 2 one
    already paid, 4 a final invoice that deducts deposits."""
    letter = OPERATION_CATEGORY.get(spec["engagement"].get("operation_category"), "S")
    if kind == "credit_note":
        return f"{letter}1"
    if invoice["deducted"] > 0 and kind in ("final", "act"):
        return f"{letter}4"
    if due <= 0 and paid_now > 0 and paid_now == invoice["incl_vat"]:
        return f"{letter}2"
    return f"{letter}1"


def _payment_terms(kind, invoice, paid_now, due):
    if kind == "credit_note":
        return _("Credit note on invoice %(number)s.") % {
            "number": (invoice["corrects"] or {}).get("number", "")}
    if due <= 0 and invoice["received_on"]:
        return _("Paid on %(date)s.") % {"date": invoice["received_on"]}
    if invoice["due_date"]:
        return _("Payable by bank transfer by %(date)s, reference %(number)s.") % {
            "date": invoice["due_date"], "number": invoice["number"]}
    return _("Payable on receipt, reference %(number)s.") % {"number": invoice["number"]}


def kind_document(kind):
    """The document kind (templates) printing an invoice of this kind."""
    return {"deposit": "deposit_invoice", "milestone": "milestone_invoice",
            "final": "final_invoice", "act": "final_invoice",
            "credit_note": "credit_note"}[kind]

