from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ..services.clauses import install_starter_clauses, starter_clauses

HELP = ("Clause library: `clauses install --owner USER` copies terms-kit's reviewed starter "
        "clauses into the expert's library (published, ready to adapt); safe to run again.")


def add_arguments(parser):
    parser.add_argument("action", choices=["install"])
    parser.add_argument("--owner", required=True, help="username of the expert")


def run(command, options):
    try:
        owner = get_user_model().objects.get(username=options["owner"])
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {options['owner']!r}.") from None
    created = install_starter_clauses(owner)
    command.stdout.write(command.style.SUCCESS(
        f"{len(created)} starter clause(s) copied for {owner.username} "
        f"({len(starter_clauses()) - len(created)} already there)."))
