from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ..exceptions import TermsKitError
from ..models import Engagement
from ..permissions import policy_for
from ..services.acceptance import send_to_client
from .export_spec import find_engagement

HELP = ("Send an engagement to its client (by number or id) as an expert: the same compliance "
        "gate and permissions as the admin's \"Send to client\".")


def add_arguments(parser):
    parser.add_argument("engagement", help="the engagement's number or id")
    parser.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                        help="the expert who sends it (needs to own it and may change it)")


def run(command, options):
    try:
        user = get_user_model().objects.get_by_natural_key(options["username"])
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"No user is called {options['username']!r}.") from exc
    engagement = find_engagement(options["engagement"])
    if not (user.is_active and policy_for(Engagement).user_has_permission_for_instance(
            user, "change", engagement)):
        # The same answer for "not yours" and "not allowed", as the admin's 404.
        raise CommandError(f"{user.get_username()} may not send engagement "
                           f"{options['engagement']!r}: it must be theirs and they need the "
                           "terms_kit.change_engagement permission.")
    try:
        sent = send_to_client(engagement, user)
    except TermsKitError as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(command.style.SUCCESS(
        f"Sent {engagement.number} to {sent.link.email}; the link is valid until "
        f"{sent.link.expires_at.date()}."))
