"""Issuing invoices, credit notes and payment receipts: numbered, frozen, made as documents.

Called by services/payments.py only, inside its transaction and under the engagement's row
lock: the number is taken from the locked sequence of its series and the record is inserted
complete, with the figures it prints (``snapshot``) and their hash. A rollback gives the
number back. Its document (DOCX + PDF/A) is made from that snapshot after the commit, by the
``make_invoice_document`` task (``make_document`` below), which also e-mails it: a webhook
or an admin action never waits for LibreOffice. Until then the invoice has no document and
the pages say so; no placeholder is ever printed, since the number exists before the
document is made.

Amounts: an invoice covers ``rows`` (one per VAT rate: base, VAT) and may deduct earlier
invoices by number; ``net`` is what it asks for. The deduction rule (docs/payments.md):
a milestone invoice deducts the deposit first-fit, the final invoice deducts every earlier
invoice of the engagement, so the invoices of an engagement always add up to its total.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import money
from ..documents.hashing import canonical_json, sha256
from ..einvoicing.cii import EINVOICE_KINDS
from ..exceptions import InvoiceNotIssuable
from ..models import Invoice, InvoiceKind, IssuedDocument, Series
from ..models.payments import SERIES_OF_KIND
from ..payments.transfer import transfer_for
from .documents import issue_document
from .numbering import format_number, take_next_number

DOCUMENT_KIND = {
    InvoiceKind.DEPOSIT: "deposit_invoice",
    InvoiceKind.MILESTONE: "milestone_invoice",
    InvoiceKind.FINAL: "final_invoice",
    InvoiceKind.ACT: "final_invoice",
    InvoiceKind.RECEIPT: "receipt",
    InvoiceKind.CREDIT_NOTE: "credit_note",
}
BILLING_KINDS = (InvoiceKind.DEPOSIT, InvoiceKind.MILESTONE, InvoiceKind.FINAL, InvoiceKind.ACT)


# --- Splitting amounts over VAT rates -------------------------------------------------------

def _rate_factor(rate):
    return 1 + Decimal(rate) / 100


def _row(rate, base, vat, exemption=""):
    """One row of an invoice: a VAT rate (and, at 0 %, the reason for no VAT) with its base
    and VAT. ``exemption`` is left out when empty, so rows of taxed lines keep their form."""
    row = {"rate": Decimal(rate), "base": base, "vat": vat}
    if exemption:
        row["exemption"] = exemption
    return row


def rows_from_incl_vat(amount, breakdown):
    """Split an amount incl. VAT over the engagement's VAT rates, in proportion to each rate's
    total incl. VAT; the last rate takes the rounding so the rows add up to ``amount``."""
    amount = money.to_cents(amount)
    parts = ([(row.rate, row.base + row.vat, _exemption(row)) for row in breakdown]
             or [(Decimal("0"), amount, "")])
    total = sum((weight for _rate, weight, _why in parts), money.ZERO)
    rows, left = [], amount
    for index, (rate, weight, exemption) in enumerate(parts):
        share = left if index == len(parts) - 1 else (
            money.to_cents(amount * weight / total) if total else money.ZERO)
        left -= share
        base = money.to_cents(share / _rate_factor(rate))
        rows.append(_row(rate, base, share - base, exemption))
    return rows


def rows_from_excl_vat(amount, breakdown):
    """Split an amount excl. VAT (a milestone) over the rates in proportion to their bases;
    VAT is then computed once per rate (money.py rule 2)."""
    amount = money.to_cents(amount)
    parts = ([(row.rate, row.base, _exemption(row)) for row in breakdown]
             or [(Decimal("0"), amount, "")])
    total = sum((base for _rate, base, _why in parts), money.ZERO)
    rows, left = [], amount
    for index, (rate, base, exemption) in enumerate(parts):
        share = left if index == len(parts) - 1 else (
            money.to_cents(amount * base / total) if total else money.ZERO)
        left -= share
        rows.append(_row(rate, share, money.to_cents(share * Decimal(rate) / 100), exemption))
    return rows


def _exemption(row):
    return getattr(row, "exemption", "") or ""


def totals_of(rows):
    excl = sum((row["base"] for row in rows), money.ZERO)
    vat = sum((row["vat"] for row in rows), money.ZERO)
    return excl, vat, excl + vat


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def document_language(engagement):
    return engagement.client.language or engagement.language or "fr"


# --- What was billed already ----------------------------------------------------------------

def is_discount(note):
    """A credit note for an early-payment discount (escompte) taken by the client."""
    return bool(note.snapshot.get("early_payment_discount"))


def credited(invoice, discounts=True):
    """What credit notes gave back on ``invoice`` (``discounts=False``: leaving out the
    early-payment discounts, which lower the price rather than give money back)."""
    return sum((note.net for note in invoice.credit_notes.all()
                if discounts or not is_discount(note)), money.ZERO)


def billed_invoices(engagement):
    return list(Invoice.objects.filter(engagement=engagement, kind__in=BILLING_KINDS)
                .prefetch_related("credit_notes").order_by("issue_date", "sequence"))


def earlier_deductions(engagement):
    """Each earlier invoice by number, with what it still bills (its net less credit notes)."""
    # An early-payment discount is not billed again: the invoice it was taken on still
    # counts in full (its credit note stands on its own), so the final invoice asks for the
    # rest of the price, not for the discount back.
    return [
        {"reference": invoice.number, "kind": invoice.kind, "date": invoice.issue_date,
         "amount": invoice.net - credited(invoice, discounts=False)}
        for invoice in billed_invoices(engagement)
    ]


def deposit_credit(engagement):
    """Deposit invoices not yet deducted by a milestone invoice, first-fit, by number."""
    invoices = billed_invoices(engagement)
    left = {inv.number: inv.net - credited(inv) for inv in invoices
            if inv.kind == InvoiceKind.DEPOSIT}
    for invoice in invoices:
        if invoice.kind == InvoiceKind.MILESTONE:
            for item in invoice.snapshot.get("deductions", []):
                if item["reference"] in left:
                    left[item["reference"]] -= Decimal(item["amount"])
    return [(number, amount) for number, amount in left.items() if amount > 0]


# --- Issuing --------------------------------------------------------------------------------

def issue(engagement, kind, *, issue_date, rows, deductions=(), instalment=None, payment=None,
          corrects=None, due_date=None, details=None, net=None):
    """Number, document and record of one invoice, credit note or receipt.

    ``details`` adds what the document prints beyond the amounts (title, milestone, payment
    received, reason). Must run inside the caller's transaction.
    """
    if kind in EINVOICE_KINDS:
        ensure_einvoicing_mentions(engagement, issue_date)
    series = SERIES_OF_KIND[kind]
    year = issue_date.year
    sequence = take_next_number(engagement.owner, year, series)
    number = format_number(year, sequence, series)
    excl_vat, vat, incl_vat = totals_of(rows)
    deducted = sum((Decimal(item["amount"]) for item in deductions), money.ZERO)
    net = incl_vat - deducted if net is None else net
    lang = document_language(engagement)
    transfer = None
    if kind in (InvoiceKind.MILESTONE, InvoiceKind.FINAL, InvoiceKind.ACT) and payment is None:
        found = transfer_for(engagement.identity, net, number)  # the number is the reference
        transfer = found.as_dict() if found else None
    figures = _plain({
        "kind": kind.value if hasattr(kind, "value") else kind,
        "series": series.value,
        "number": number,
        "date": issue_date,
        "due_date": due_date,
        "rows": rows,
        "excl_vat": excl_vat,
        "vat": vat,
        "incl_vat": incl_vat,
        "deductions": list(deductions),
        "deducted": deducted,
        "net": net,
        "corrects": corrects and {"number": corrects.number, "date": corrects.issue_date},
        "transfer": transfer,
        **(details or {}),
    })
    invoice = Invoice.objects.create(
        owner=engagement.owner, engagement=engagement, kind=kind, series=series,
        number=number, year=year, sequence=sequence, issue_date=issue_date, due_date=due_date,
        language=lang, instalment=instalment, payment=payment, corrects=corrects,
        excl_vat=excl_vat, vat=vat, incl_vat=incl_vat, deducted=deducted, net=net,
        snapshot=figures, snapshot_sha256=sha256(canonical_json(figures).encode("utf-8")),
    )
    _enqueue_document(invoice.pk)
    return invoice


def ensure_einvoicing_mentions(engagement, on):
    """Raise ``InvoiceNotIssuable`` when an invoice issued on ``on`` would miss a mention of
    the e-invoicing reform (client SIREN, category, delivery address: terms_kit/vat/
    einvoicing.py). Before the expert's e-invoicing start date nothing is required. It runs
    before a number is taken, so a refusal leaves no gap in the sequence."""
    from ..spec import export_engagement
    from ..vat.einvoicing import einvoicing_problems, einvoicing_start

    # Before the expert's start date nothing is required: decided from the identity alone,
    # without exporting the whole spec (three queries and its CPU on every invoice, in a
    # webhook too).
    own = {"identity": {"einvoicing_from": engagement.identity.einvoicing_from}}
    if on < einvoicing_start(own, on):
        return
    # The message is for the expert: in the language of their request, not the client's.
    problems = einvoicing_problems(export_engagement(engagement), on)
    if problems:
        raise InvoiceNotIssuable(problems)


def _enqueue_document(invoice_id):
    from ..tasks import make_invoice_document

    transaction.on_commit(lambda: make_invoice_document.enqueue(invoice_id))


def make_document(invoice_id, converter=None):
    """The task's body: the DOCX + PDF/A of one invoice, made once. Invoices and credit
    notes are Factur-X (PDF/A-3 with their EN 16931 XML, einvoicing/); a receipt is PDF/A-2b.

    Returns the new IssuedDocument, or None when the invoice already has its document (the
    task ran before, or runs at the same time elsewhere: the invoice row is locked while the
    document is made, and the one-to-one key on IssuedDocument.invoice refuses a second).
    """
    try:
        with transaction.atomic():
            invoice = (Invoice.objects.select_for_update()
                       .select_related("engagement").get(pk=invoice_id))
            if IssuedDocument.objects.filter(invoice_id=invoice_id).exists():
                return None
            return issue_document(invoice.engagement, DOCUMENT_KIND[invoice.kind],
                                  invoice.language, extras={"invoice": invoice.snapshot},
                                  converter=converter, invoice=invoice,
                                  einvoice=invoice.kind in EINVOICE_KINDS)
    except IntegrityError:
        if IssuedDocument.objects.filter(invoice_id=invoice_id).exists():
            return None  # a concurrent run inserted it first
        raise


def requeue_undocumented(now=None):
    """Invoices issued longer ago than STALLED_AFTER that still have no document: their task's
    worker died (killed mid-conversion, a lost node). Their task is queued again; it is
    idempotent (``make_document``). For ``manage.py termskit requeue-stalled``. The ids."""
    from .documents import STALLED_AFTER

    now = now or timezone.now()
    ids = list(Invoice.objects.filter(created_at__lt=now - STALLED_AFTER)
               .exclude(pk__in=IssuedDocument.objects.filter(invoice__isnull=False)
                        .values("invoice_id"))
               .order_by("pk").values_list("pk", flat=True))
    for invoice_id in ids:
        _enqueue_document(invoice_id)
    return ids


def issue_deposit_invoice(engagement, instalment, payment, amount, received_on,
                          issue_date=None):
    """CGI 289 I-1-c: a deposit (or a prepayment) is invoiced when it is received (or, when
    its issue had to wait for a missing mention, on ``issue_date``)."""
    rows = rows_from_incl_vat(amount, engagement.totals.breakdown)
    return issue(engagement, InvoiceKind.DEPOSIT, issue_date=issue_date or received_on,
                 rows=rows,
                 instalment=instalment, payment=payment,
                 details={"title": instalment.label, "received_on": received_on,
                          "paid": amount})


def issue_milestone_invoice(engagement, instalment, on, due_date):
    """A milestone done: its price, less the deposit still to deduct (first-fit, by number)."""
    milestone = instalment.milestone
    rows = rows_from_excl_vat(milestone.amount, engagement.totals.breakdown)
    gross = totals_of(rows)[2]
    deductions, room = [], gross
    for number, left in deposit_credit(engagement):
        take = min(left, room)
        if take <= 0:
            break
        deductions.append({"reference": number, "kind": "deposit", "amount": take})
        room -= take
    return issue(engagement, InvoiceKind.MILESTONE, issue_date=on, rows=rows,
                 deductions=deductions, instalment=instalment, due_date=due_date,
                 details={"title": milestone.label,
                          "milestone": {"label": milestone.label,
                                        "deliverable": milestone.deliverable,
                                        "validation": milestone.validation}})


def issue_final_invoice(engagement, instalment, on, due_date=None, payment=None, kind=None,
                        amount=None):
    """The whole service, less every earlier invoice by number (CGI 289: the acomptes).

    ``amount`` (incl. VAT): the service was billed for less than the accepted total (a card
    hold captured for less): the rows are that amount split over the VAT rates, and the
    reduction from the accepted total is kept in the snapshot (``reduction``)."""
    totals = engagement.totals
    rows = [_row(row.rate, row.base, row.vat, row.exemption) for row in totals.breakdown]
    details = {"title": engagement.title}
    if amount is not None and amount != totals.total_incl_vat:
        rows = rows_from_incl_vat(amount, totals.breakdown)
        details["reduction"] = {"accepted_total": totals.total_incl_vat,
                                "billed": money.to_cents(amount),
                                "reduction": totals.total_incl_vat - money.to_cents(amount)}
    kind = kind or InvoiceKind.FINAL
    deductions = [] if kind == InvoiceKind.ACT else earlier_deductions(engagement)
    if payment is not None:
        details.update(received_on=payment.paid_on, paid=payment.amount)
    return issue(engagement, kind, issue_date=on, rows=rows, deductions=deductions,
                 instalment=instalment, payment=payment, due_date=due_date, details=details)


def issue_credit_note(engagement, invoice, amount, reason, on):
    """An avoir: money given back (or a sum no longer owed) on ``invoice``, by its number."""
    rows = rows_from_incl_vat(amount, _breakdown_of(invoice) or engagement.totals.breakdown)
    return issue(engagement, InvoiceKind.CREDIT_NOTE, issue_date=on, rows=rows,
                 corrects=invoice, details={"title": engagement.title, "reason": reason})


def issue_discount_credit_note(engagement, invoice, amount, percent, on):
    """The credit note of an early-payment discount (escompte) taken on ``invoice``: it
    reduces the price and so the VAT base (CGI 267 II-1), split over the invoice's rates."""
    rows = rows_from_incl_vat(amount, _breakdown_of(invoice) or engagement.totals.breakdown)
    with translation.override(document_language(engagement)):
        reason = _("Early-payment discount of %(percent)s %% on invoice %(number)s, paid "
                   "within the discount period") % {
                       "percent": f"{Decimal(percent).normalize():f}", "number": invoice.number}
    return issue(engagement, InvoiceKind.CREDIT_NOTE, issue_date=on, rows=rows,
                 corrects=invoice,
                 details={"title": engagement.title, "reason": reason,
                          "early_payment_discount": {"percent": Decimal(percent),
                                                     "amount": money.to_cents(amount)}})


def issue_receipt(engagement, payment, on=None):
    """A payment receipt (reçu): what was received, when, how, and for which invoices."""
    on = on or timezone.localdate()
    rows = rows_from_incl_vat(payment.amount, engagement.totals.breakdown)
    invoices = sorted({inv.number for allocation in payment.allocations.all()
                       for inv in allocation.instalment.invoices.all()
                       if inv.kind in BILLING_KINDS})
    return issue(engagement, InvoiceKind.RECEIPT, issue_date=on, rows=rows, payment=payment,
                 details={"title": engagement.title,
                          "payment": {"amount": payment.amount, "paid_on": payment.paid_on,
                                      "method": payment.method,
                                      "reference": payment.reference},
                          "for_invoices": invoices})


class _Row:
    def __init__(self, rate, base, vat, exemption=""):
        self.rate, self.base, self.vat = Decimal(rate), Decimal(base), Decimal(vat)
        self.exemption = exemption


def _breakdown_of(invoice):
    return [_Row(row["rate"], row["base"], row["vat"], row.get("exemption", ""))
            for row in invoice.snapshot.get("rows", [])
            if Decimal(row["base"]) + Decimal(row["vat"]) > 0]


__all__ = ["issue", "issue_deposit_invoice", "issue_milestone_invoice", "issue_final_invoice",
           "issue_credit_note", "issue_receipt", "rows_from_incl_vat", "rows_from_excl_vat",
           "Series"]
