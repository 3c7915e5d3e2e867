import datetime

from django.core.management.base import CommandError

from ..exceptions import PaymentRefused
from ..models import Payment
from ..services.payments import record_payment
from .export_spec import find_engagement

HELP = "Record a payment received for an engagement, exactly as the admin does."


def add_arguments(parser):
    parser.add_argument("engagement", help="the engagement's number or id")
    parser.add_argument("--amount", required=True, help="amount received, e.g. 4320.00")
    parser.add_argument("--method", required=True, choices=Payment.Method.values)
    parser.add_argument("--date", required=True, help="date received, YYYY-MM-DD")
    parser.add_argument("--reference", default="", help="bank or cheque reference")


def run(command, options):
    engagement = find_engagement(options["engagement"])
    try:
        paid_on = datetime.date.fromisoformat(options["date"])
    except ValueError:
        raise CommandError(f"--date {options['date']!r} is not a date: use YYYY-MM-DD.") from None
    try:
        payment = record_payment(engagement, amount=options["amount"], paid_on=paid_on,
                                 method=options["method"], reference=options["reference"])
    except PaymentRefused as exc:
        raise CommandError(str(exc)) from exc
    engagement.refresh_from_db()
    invoices = ", ".join(i.number for i in payment.invoices.all()) or "none"
    command.stdout.write(f"Recorded {payment.amount} on {payment.paid_on} ({payment.method}) "
                         f"for {engagement.number}; status {engagement.status}; "
                         f"invoices issued: {invoices}.")
