from django.core.management.base import BaseCommand

from ...cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "terms-kit tools: " + ", ".join(SUBCOMMANDS)

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, module in SUBCOMMANDS.items():
            sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(sub)

    def handle(self, *args, subcommand, **options):
        SUBCOMMANDS[subcommand].run(self, options)
