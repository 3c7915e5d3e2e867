from pathlib import Path

from ..compliance.doc import render

HELP = "Print the compliance rule table (docs/compliance.md), or --write it to a file."


def add_arguments(parser):
    parser.add_argument("--write", metavar="PATH", help="write the table to this file")


def run(command, options):
    text = render()
    if options["write"]:
        Path(options["write"]).write_text(text, encoding="utf-8")
        command.stdout.write(f"Wrote {options['write']}.")
    else:
        command.stdout.write(text, ending="")
