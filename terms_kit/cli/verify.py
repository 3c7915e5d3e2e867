from pathlib import Path

from django.core.management.base import CommandError

from ..acceptance.evidence import (
    check_chain,
    check_checkpoints,
    check_files,
    check_sealed_files,
)

HELP = ("Check the consent chain (every column of every record), the stored checkpoints, "
        "every stored document and sealed file against their SHA-256, and the record hash "
        "named in each sealed PDF; list each altered record, checkpoint or file.")


def add_arguments(parser):
    parser.add_argument("--skip-files", action="store_true",
                        help="check the chain and the checkpoints only, not the stored files")
    parser.add_argument("--checkpoint", action="append", default=[], metavar="FILE.json",
                        help="also check the chain against this checkpoint kept elsewhere "
                             "(e.g. saved from the e-mail); its signature FILE.p7s must be "
                             "beside it. Repeatable.")


def _extra_checkpoints(paths):
    extra = []
    for name in paths:
        path = Path(name)
        signature = path.with_suffix(".p7s")
        if not path.is_file():
            raise CommandError(f"--checkpoint {name}: no such file.")
        if not signature.is_file():
            raise CommandError(f"--checkpoint {name}: its signature {signature} is missing "
                               "(save both attachments of the checkpoint e-mail).")
        extra.append((str(path), path.read_bytes(), signature.read_bytes()))
    return extra


def run(command, options):
    problems = check_chain() + check_checkpoints(_extra_checkpoints(options["checkpoint"]))
    if not options["skip_files"]:
        problems += check_files() + check_sealed_files()
    if problems:
        for problem in problems:
            command.stderr.write(f"ALTERED {problem}")
        raise CommandError(f"{len(problems)} problem(s) found: the evidence above was altered "
                           "or is missing.")
    command.stdout.write(command.style.SUCCESS(
        "Consent chain, checkpoints and stored files intact." if not options["skip_files"]
        else "Consent chain and checkpoints intact (files not checked)."))
