import json

from ..services.ledger import build_ledger, ledger_json
from .export_spec import find_engagement

HELP = ("Print an engagement's payment schedule, invoices (numbers, totals, SHA-256), "
        "payments, balance and whether work may start.")


def add_arguments(parser):
    parser.add_argument("engagement", help="the engagement's number or id")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run(command, options):
    data = ledger_json(build_ledger(find_engagement(options["engagement"])))
    if options["format"] == "json":
        command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out = command.stdout.write
    head = data["engagement"]
    out(f"{head['number']} · {head['title']} · {head['status']} · total {data['total_incl_vat']}")
    out("Schedule:")
    for i in data["instalments"]:
        out(f"  {i['position']:>2} {i['label'][:40]:<40} {i['amount']:>12} paid {i['paid']:>12}"
            f"  {i['state']:<11} due {i['due_date'] or '-'}")
    out("Invoices:")
    for i in data["invoices"]:
        out(f"  {i['number']:<14} {i['kind']:<11} {i['issue_date']} total {i['incl_vat']:>12}"
            f" net {i['net']:>12}  "
            + (f"PDF SHA-256 {i['pdf_sha256']}" if i["pdf_sha256"]
               else "document being prepared"))
    out("Payments:")
    for p in data["payments"]:
        out(f"  {p['paid_on']} {p['amount']:>12} {p['method']:<13} {p['reference']}")
    for r in data["refunds"]:
        out(f"  {r['refunded_on']} -{r['amount']:>11} refund: {r['reason']}")
    credit = data["credit"]
    if credit and credit["unit"] == "hours":
        out(f"Time credit: {credit['used']} h used, {credit['left']} h left of "
            f"{credit['bought']} h, valid until {credit['valid_until'] or '-'}; unused hours "
            f"{credit['unused_credit']}"
            + (f"; closed {credit['closed_on']}: {credit['hours_closed']} h {credit['closed']}"
               if credit["closed"] else ""))
    out(f"Received {data['received']} · refunded {data['refunded']} · left to pay "
        f"{data['left_to_pay']} (due now {data['due_now']})")
    start = data["may_start"]
    out("Work may start: yes" if start["ok"] else
        "Work may start: no. " + " ".join(start["reasons"]))
