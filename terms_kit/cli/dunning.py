import datetime
import json

from django.core.management.base import CommandError

HELP = ("Dunning. `dunning run`: the day's reminder steps for every open invoice (run daily, "
        "after `payments sweep`; idempotent, safe with two runners). `dunning queue`: the "
        "same, queued on django-tasks.")


def add_arguments(parser):
    parser.add_argument("action", choices=["run", "queue"])
    parser.add_argument("--on", help="decide as of this day (YYYY-MM-DD); default today")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be done, store and send nothing")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def _day(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on {value!r} is not a date: use YYYY-MM-DD.") from None


def run(command, options):
    from ..dunning.run import run as dunning_run

    on = _day(options.get("on"))
    if options["action"] == "queue":
        from ..tasks import dunning_run as task

        result = task.enqueue(on.isoformat() if on else None)
        command.stdout.write(f"dunning run queued (task {result.id}).")
        return
    report = dunning_run(on=on, dry_run=options.get("dry_run", False))
    if options.get("format") == "json":
        command.stdout.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    prefix = "would decide" if report.dry_run else "decided"
    command.stdout.write(
        f"{report.on.isoformat()}: {report.examined} open invoice(s) examined, "
        f"{prefix} {len(report.decisions)} step(s) ({len(report.ready)} automatic, "
        f"{len(report.awaiting_approval)} waiting for approval), {report.paused} paused, "
        f"{report.skipped_pending} pending step(s) skipped (invoice settled), "
        f"{report.seconds:.2f} s.")
    for decision in report.decisions:
        command.stdout.write(f"  {decision.invoice_number}: {decision.step} "
                             f"(planned {decision.planned_on.isoformat()}, {decision.mode})")
