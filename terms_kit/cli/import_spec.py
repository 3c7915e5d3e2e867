import json

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ..exceptions import SpecError
from ..spec import import_spec

HELP = "Create a draft engagement from a JSON spec file (nothing is written if it has errors)."


def add_arguments(parser):
    parser.add_argument("spec", help="path of the JSON spec file, or - for standard input")
    parser.add_argument(
        "--owner", required=True, help="username of the expert who will own the engagement"
    )


def read_spec(path, stdin):
    try:
        text = stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def run(command, options):
    import sys

    user_model = get_user_model()
    try:
        owner = user_model.objects.get(**{user_model.USERNAME_FIELD: options["owner"]})
    except user_model.DoesNotExist:
        raise CommandError(f"No user named {options['owner']!r}: create the expert first.") from None
    data = read_spec(options["spec"], sys.stdin)
    try:
        engagement = import_spec(data, owner)
    except SpecError as exc:
        raise CommandError(str(exc)) from None
    command.stdout.write(f"Imported draft engagement id={engagement.pk} ({engagement.title}).")
