from django.core.management.base import CommandError

from ..acceptance.evidence import check_chain, check_files

HELP = ("Check the consent chain and every stored document and sealed file against their "
        "SHA-256; list each altered record or file.")


def add_arguments(parser):
    parser.add_argument("--skip-files", action="store_true", help="check the chain only")


def run(command, options):
    problems = check_chain()
    if not options["skip_files"]:
        problems += check_files()
    if problems:
        for problem in problems:
            command.stderr.write(f"ALTERED {problem}")
        raise CommandError(f"{len(problems)} problem(s) found: the evidence above was altered "
                           "or is missing.")
    command.stdout.write(command.style.SUCCESS("Consent chain and stored files intact."))
