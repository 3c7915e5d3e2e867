"""What the client's page shows about money, in the client's language (no state changes)."""

from ..documents.formatting import date as format_date
from ..documents.formatting import money as format_money
from ..dunning.presentation import client_dunning
from ..models import InvoiceKind
from ..services.ledger import build_ledger
from ..services.plans import client_summary as plan_summary
from .transfer import epc_svg_data_uri, transfer_for


def client_money(engagement, lang):
    """Schedule, transfer details with QR code, invoices and payments for the client page."""
    ledger = build_ledger(engagement)
    identity = engagement.identity
    open_items = [i for i in ledger["instalments"] if i.is_open]
    # The reference of a transfer is the invoice number when the amount is invoiced already.
    invoice_of = {}
    for invoice in ledger["invoices"]:
        if invoice.instalment_id and invoice.kind != InvoiceKind.CREDIT_NOTE:
            invoice_of.setdefault(invoice.instalment_id, invoice.number)
    due = []
    for instalment in ledger["instalments"]:
        reference = invoice_of.get(instalment.pk) or engagement.number
        transfer = None
        if instalment in open_items:
            transfer = transfer_for(identity, instalment.left_to_pay, reference)
        due.append({
            "instalment": instalment,
            "label": instalment.label,
            "amount": format_money(instalment.amount, lang),
            "left": format_money(instalment.left_to_pay, lang),
            "due_date": format_date(instalment.due_date, lang) if instalment.due_date else "",
            "trigger": instalment.get_due_trigger_display(),
            "state": instalment.state,
            "state_label": instalment.get_state_display(),
            "open": instalment in open_items,
            "reference": reference,
            "transfer": transfer,
            "qr": epc_svg_data_uri(transfer) if transfer else "",
        })
    credit = ledger["credit"]
    return {
        "due": due,
        "due_now": format_money(ledger["due_now"], lang),
        "has_due_now": ledger["due_now"] > 0,
        "left_to_pay": format_money(ledger["left_to_pay"], lang),
        "invoices": [{"invoice": i, "net": format_money(i.net, lang),
                      "date": format_date(i.issue_date, lang)} for i in ledger["invoices"]],
        "payments": [{"amount": format_money(p.amount, lang), "date": format_date(p.paid_on, lang),
                      "method": p.get_method_display()} for p in ledger["payments"]],
        "refunds": [{"amount": format_money(r.amount, lang),
                     "date": format_date(r.refunded_on, lang), "reason": r.reason}
                    for r in ledger["refunds"]],
        "credit": credit and {**credit,
                              "left_value": credit["left_value"] is not None
                              and format_money(credit["left_value"], lang),
                              "valid_until": credit.get("valid_until")
                              and format_date(credit["valid_until"], lang)},
        "iban": identity.iban, "bic": identity.bic, "holder": identity.legal_name,
        "may_start": ledger["may_start"],
        "dunning": client_dunning(engagement, lang),
        "plan": plan_summary(engagement, lang),
    }
