from django.core.management.base import CommandError

from ..models import Engagement
from ..spec import export_engagement, to_json

HELP = "Print an engagement as a JSON spec (by number, e.g. D-2026-0001, or database id)."


def add_arguments(parser):
    parser.add_argument("engagement", help="the engagement's number or id")


def find_engagement(reference):
    found = Engagement.objects.filter(number=reference)
    if reference.isdigit():
        found = found | Engagement.objects.filter(pk=int(reference))
    found = list(found[:2])
    if not found:
        raise CommandError(f"No engagement has the number or id {reference!r}.")
    if len(found) > 1:
        raise CommandError(
            f"{reference!r} matches several engagements (numbers are per expert): use the id."
        )
    return found[0]


def run(command, options):
    engagement = find_engagement(options["engagement"])
    command.stdout.write(to_json(export_engagement(engagement)), ending="")
