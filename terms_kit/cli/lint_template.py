from pathlib import Path

from django.core.management.base import CommandError

from ..documents.linting import lint

HELP = "Check a DOCX template: Jinja errors, unknown variables (errors) and unused ones."


def add_arguments(parser):
    parser.add_argument("file", help="the .docx template")


def run(command, options):
    path = Path(options["file"])
    try:
        report = lint(path.read_bytes())
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    for line in report.lines():
        command.stdout.write(line)
    if not report.ok:
        raise CommandError(f"{path.name}: the template has errors (listed above).")
    command.stdout.write(f"{path.name}: no errors.")
