import datetime
import json

from django.core.management.base import CommandError
from django.utils import timezone

from ..dunning import claims
from ..dunning.interest import ROUNDING_RULE, InterestError
from ..models import Invoice

HELP = ("Print the late interest of an invoice on a date, line by line (period, base, rate, "
        "days, amount), with the 40 EUR indemnity between businesses.")


def add_arguments(parser):
    parser.add_argument("invoice", help="the invoice's number or id")
    parser.add_argument("--on", help="the date (YYYY-MM-DD) interest runs to; default: today")
    parser.add_argument("--rate", help="a late-penalty rate (%% a year) to use instead of the "
                        "engagement's; refused under the legal floor")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def find_invoice(reference):
    found = Invoice.objects.filter(number=reference)
    if reference.isdigit():
        found = found | Invoice.objects.filter(pk=int(reference))
    found = list(found.select_related("engagement__client")[:2])
    if not found:
        raise CommandError(f"No invoice has the number or id {reference!r}.")
    if len(found) > 1:
        raise CommandError(
            f"{reference!r} matches several invoices (numbers are per expert): use the id.")
    return found[0]


def _date(value):
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on {value!r}: write the date as YYYY-MM-DD.") from None


def run(command, options):
    invoice = find_invoice(options["invoice"])
    on = _date(options.get("on"))
    try:
        statement = claims.statement(invoice, on, rate=options.get("rate"))
    except InterestError as exc:
        raise CommandError(str(exc)) from None
    data = statement.as_json()
    if options["format"] == "json":
        command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))
        return
    out = command.stdout.write
    out(f"Invoice {data['invoice']} · {data['debtor']} debtor · amount {data['amount']} · due "
        f"{data['due_date']} · on {data['on']} ({data['days_late']} days late)")
    for payment in data["payments"]:
        out(f"  paid {payment['date']} {payment['amount']:>12}")
    if data["note"]:
        out(f"  {data['note']}")
    out(f"  {'from':<10} {'to':<10} {'base':>12} {'rate %':>7} {'days':>5} {'amount':>12}  basis")
    for line in data["lines"]:
        out(f"  {line['from']} {line['to']} {line['base']:>12} {line['rate']:>7} "
            f"{line['days']:>5} {line['amount_unrounded']:>12}  {line['rate_basis']}")
    out(f"Interest {data['interest']} (lines exact, total rounded once: {ROUNDING_RULE})")
    out(f"Indemnity {data['indemnity']}")
    out(f"Unpaid {data['unpaid']} · total claimable {data['total']}")
