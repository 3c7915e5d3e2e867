import datetime

from django.core.management.base import CommandError

from ..services.payments import payments_sweep

HELP = ("Payments housekeeping. `payments sweep`: instalments that fall due or go overdue "
        "today, statuses to match (run daily; idempotent, safe with two runners).")


def add_arguments(parser):
    parser.add_argument("action", choices=["sweep"])
    parser.add_argument("--date", help="sweep as of this day (YYYY-MM-DD); default today")


def run(command, options):
    on = None
    if options.get("date"):
        try:
            on = datetime.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(
                f"--date {options['date']!r} is not a date: use YYYY-MM-DD.") from None
    counts = payments_sweep(on)
    command.stdout.write(f"{counts['fell_due']} instalment(s) fell due, {counts['overdue']} "
                         f"went overdue, {counts['engagements']} engagement(s) updated.")
