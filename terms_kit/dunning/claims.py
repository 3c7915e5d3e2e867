"""An invoice's interest statement from the database: the bridge from records to interest.py.

The debtor's kind comes from the engagement's client; the rate from the engagement's
late-penalty rate (empty: the terms refer to the law's default, ECB + 10 points); payments
and credit notes from ``receivables``, each reducing the base from its date; for a consumer,
interest runs from the first formal notice that named the invoice.
"""

import datetime

from django.utils.translation import gettext as _

from ..models import FormalNotice, Invoice, InvoiceKind
from . import interest
from .receivables import DUNNABLE_KINDS, payments_applied


def debtor_of(engagement):
    return interest.CONSUMER if engagement.client.is_consumer else interest.BUSINESS


def reductions(invoice):
    """[(date, amount)] that lower what the invoice asks for: payments (refunds negative) and
    credit notes issued against it."""
    notes = [(note.issue_date, note.net) for note in
             Invoice.objects.filter(corrects=invoice, kind=InvoiceKind.CREDIT_NOTE)]
    return sorted(list(payments_applied(invoice)) + notes, key=lambda item: item[0])


def first_notice_date(invoice, before=None):
    """The date of the earliest formal notice naming ``invoice`` (strictly before ``before``)."""
    notices = FormalNotice.objects.filter(engagement_id=invoice.engagement_id)
    if before is not None:
        notices = notices.filter(issue_date__lt=before)
    dates = [n.issue_date for n in notices.only("invoice_key", "issue_date")
             if invoice.pk in n.invoice_ids]
    return min(dates) if dates else None


def statement(invoice, on, *, rate=None, notice_date=None):
    """``interest.Statement`` of ``invoice`` on ``on``.

    ``rate``: a rate typed for this computation instead of the engagement's (refused under
    the floor). ``notice_date``: for a consumer, overrides the first notice's date (a notice
    being issued on ``on`` itself).
    """
    if invoice.kind not in DUNNABLE_KINDS:
        raise interest.InterestError(_(
            "%(number)s is a %(kind)s: interest is computed on invoices that ask for payment "
            "(milestone, final or act invoices).") % {"number": invoice.number,
                                                       "kind": invoice.get_kind_display()})
    engagement = invoice.engagement
    debtor = debtor_of(engagement)
    typed = rate is not None
    contract_rate = rate if typed else engagement.late_penalty_rate
    if debtor == interest.CONSUMER and notice_date is None:
        notice_date = first_notice_date(invoice, before=on + datetime.timedelta(days=1))
    return interest.compute(
        number=invoice.number, amount=invoice.net, due_date=invoice.due_date, on=on,
        payments=reductions(invoice), debtor=debtor, contract_rate=contract_rate,
        rate_typed=typed, notice_date=notice_date,
    )
