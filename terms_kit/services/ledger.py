"""The ledger of one engagement: schedule, invoices, payments, balance, may-start.

Read-only. One dict (plain JSON types) shared by the admin page, the client page and
``manage.py termskit ledger``; a fixed number of queries whatever the number of instalments.
"""

from decimal import Decimal

from .. import money
from ..models import CreditClosure, CreditUse, Instalment, Invoice, InvoiceKind, Payment, Refund
from . import payments
from .invoicing import BILLING_KINDS


def build_ledger(engagement):
    instalments = list(Instalment.objects.filter(engagement=engagement)
                       .select_related("milestone").order_by("position"))
    invoices = list(Invoice.objects.filter(engagement=engagement)
                    .select_related("issued_document", "corrects").order_by("issue_date", "series",
                                                                     "sequence"))
    payments_made = list(Payment.objects.filter(engagement=engagement).order_by("paid_on", "pk"))
    refunds = list(Refund.objects.filter(engagement=engagement).select_related("credit_note")
                   .order_by("refunded_on", "pk"))
    uses = list(CreditUse.objects.filter(engagement=engagement).order_by("used_on", "pk"))
    totals = engagement.totals
    received = sum((p.amount for p in payments_made), money.ZERO)
    refunded = sum((r.amount for r in refunds), money.ZERO)
    billed = sum((i.net for i in invoices if i.kind in BILLING_KINDS), money.ZERO)
    credited = sum((i.net for i in invoices if i.kind == InvoiceKind.CREDIT_NOTE), money.ZERO)
    owed = sum((i.left_to_pay for i in instalments), money.ZERO)
    due_now = sum((i.left_to_pay for i in instalments if i.is_open), money.ZERO)
    start = payments.may_start(engagement, instalments=instalments)
    return {
        "engagement": {"id": engagement.pk, "number": engagement.number,
                       "status": engagement.status, "title": engagement.title,
                       "payment_model": engagement.payment_model},
        "total_incl_vat": totals.total_incl_vat,
        "instalments": instalments,
        "invoices": invoices,
        "payments": payments_made,
        "refunds": refunds,
        "credit_uses": uses,
        "credit": _credit(engagement, instalments, uses),
        "received": received,
        "refunded": refunded,
        "billed": billed,
        "credited": credited,
        "left_to_pay": owed,
        "due_now": due_now,
        "may_start": start,
    }


def _credit(engagement, instalments, uses):
    """The credit summary plus, for hours, the accepted rule on unused hours, the last day
    of validity and how the credit was closed (None while it runs)."""
    summary = payments.credit_summary(engagement, instalments, uses)
    if not summary or summary["unit"] != "hours":
        return summary
    closure = CreditClosure.objects.filter(engagement=engagement).first()
    return {**summary, "unused_credit": engagement.unused_credit,
            "valid_until": payments.credit_valid_until(engagement),
            "closed": closure.outcome if closure else None,
            "closed_on": closure.closed_on if closure else None,
            "hours_closed": closure.hours_left if closure else None}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def ledger_json(ledger):
    """The ledger as plain JSON types (the CLI's --format json)."""
    return {
        "engagement": ledger["engagement"],
        "total_incl_vat": _plain(ledger["total_incl_vat"]),
        "instalments": [
            {"position": i.position, "kind": i.kind, "label": i.label,
             "amount": _plain(i.amount), "paid": _plain(i.paid_amount),
             "due_trigger": i.due_trigger, "due_date": _plain(i.due_date), "state": i.state,
             "secured": bool(i.secured_at)}
            for i in ledger["instalments"]],
        "invoices": [
            {"number": i.number, "kind": i.kind, "issue_date": _plain(i.issue_date),
             "due_date": _plain(i.due_date), "excl_vat": _plain(i.excl_vat),
             "vat": _plain(i.vat), "incl_vat": _plain(i.incl_vat),
             "deducted": _plain(i.deducted), "net": _plain(i.net),
             "corrects": i.corrects.number if i.corrects_id else None,
             "snapshot_sha256": i.snapshot_sha256,
             "pdf_sha256": i.document.pdf_sha256 if i.document else None,
             "docx_sha256": i.document.docx_sha256 if i.document else None,
             "document_ready": i.document is not None}
            for i in ledger["invoices"]],
        "payments": [
            {"id": p.pk, "amount": _plain(p.amount), "paid_on": _plain(p.paid_on),
             "method": p.method, "reference": p.reference, "provider": p.provider,
             "provider_payment_id": p.provider_payment_id}
            for p in ledger["payments"]],
        "refunds": [
            {"id": r.pk, "payment": r.payment_id, "amount": _plain(r.amount),
             "refunded_on": _plain(r.refunded_on), "reason": r.reason,
             "credit_note": r.credit_note.number if r.credit_note_id else None}
            for r in ledger["refunds"]],
        "credit": {key: _plain(value) for key, value in (ledger["credit"] or {}).items()}
        or None,
        "received": _plain(ledger["received"]),
        "refunded": _plain(ledger["refunded"]),
        "billed": _plain(ledger["billed"]),
        "credited": _plain(ledger["credited"]),
        "left_to_pay": _plain(ledger["left_to_pay"]),
        "due_now": _plain(ledger["due_now"]),
        "may_start": {"ok": ledger["may_start"].ok,
                      "reasons": [str(r) for r in ledger["may_start"].reasons]},
    }
