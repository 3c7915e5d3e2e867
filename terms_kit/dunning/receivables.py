"""What an invoice still asks for: its amount, less credit notes and payments applied.

Payments reach an invoice through ``Allocation`` → instalment → invoice (the invoice of a
milestone, of the balance or of an act bills one instalment). A refund's allocation is
negative and dated the day of the refund; a credit note reduces the amount from its issue
date. Read-only; every amount a Decimal in euros.
"""

from decimal import Decimal

from django.db.models import Q, Sum

from ..models import Allocation, Instalment, InstalmentState, Invoice, InvoiceKind

ZERO = Decimal("0.00")

# The invoices dunning chases: they bill an instalment that falls due on their due date.
DUNNABLE_KINDS = (InvoiceKind.MILESTONE, InvoiceKind.FINAL, InvoiceKind.ACT)
CLOSED_INSTALMENT_STATES = (InstalmentState.PAID, InstalmentState.CANCELLED,
                            InstalmentState.REFUNDED)


def dunnable_invoices(owner=None):
    """Every invoice that could be chased, paid or not (a queryset)."""
    invoices = Invoice.objects.filter(kind__in=DUNNABLE_KINDS, instalment__isnull=False,
                                      due_date__isnull=False)
    if owner is not None:
        invoices = invoices.filter(owner=owner)
    return invoices


def open_invoices(owner=None):
    """The invoices left to pay (their instalment neither paid, cancelled nor refunded), as a
    queryset ordered by due date. ``outstanding`` gives the exact amount on a date."""
    return (dunnable_invoices(owner)
            .exclude(instalment__state__in=CLOSED_INSTALMENT_STATES)
            .order_by("due_date", "pk"))


def payments_applied(invoice):
    """[(date, amount)] applied to the invoice, oldest first: payments positive, refunds
    negative."""
    if invoice.instalment_id is None:
        return []
    rows = (Allocation.objects.filter(instalment_id=invoice.instalment_id)
            .select_related("payment", "refund").order_by("pk"))
    applied = []
    for allocation in rows:
        when = (allocation.refund.refunded_on if allocation.refund_id
                else allocation.payment.paid_on)
        applied.append((when, allocation.amount))
    applied.sort(key=lambda item: item[0])
    return applied


def credited(invoice, on=None):
    """The credit notes issued against the invoice (up to ``on``), as a positive total."""
    notes = Invoice.objects.filter(corrects=invoice, kind=InvoiceKind.CREDIT_NOTE)
    if on is not None:
        notes = notes.filter(issue_date__lte=on)
    return notes.aggregate(total=Sum("net"))["total"] or ZERO


def outstanding(invoice, on):
    """What the invoice still asks for at the end of day ``on`` (never below zero)."""
    if invoice.instalment_id is not None and Instalment.objects.filter(
            pk=invoice.instalment_id,
            state__in=[InstalmentState.CANCELLED, InstalmentState.REFUNDED]).exists():
        return ZERO
    paid = sum((amount for when, amount in payments_applied(invoice) if when <= on), ZERO)
    left = invoice.net - credited(invoice, on) - paid
    return max(left, ZERO)


def outstanding_many(invoices, on):
    """{invoice pk: amount left} for many invoices in two queries (the daily run's batches)."""
    invoices = list(invoices)
    instalment_ids = {i.instalment_id for i in invoices if i.instalment_id}
    paid = dict(
        Allocation.objects.filter(instalment_id__in=instalment_ids)
        .filter(Q(refund__isnull=True, payment__paid_on__lte=on)
                | Q(refund__isnull=False, refund__refunded_on__lte=on))
        .values_list("instalment_id").annotate(total=Sum("amount")).order_by()
    )
    credits = dict(
        Invoice.objects.filter(corrects_id__in=[i.pk for i in invoices],
                               kind=InvoiceKind.CREDIT_NOTE, issue_date__lte=on)
        .values_list("corrects_id").annotate(total=Sum("net")).order_by()
    )
    result = {}
    for invoice in invoices:
        left = invoice.net - credits.get(invoice.pk, ZERO) - paid.get(invoice.instalment_id,
                                                                     ZERO)
        result[invoice.pk] = max(left, ZERO)
    return result
