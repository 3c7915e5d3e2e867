"""``manage.py termskit einvoice check FILE.pdf|FILE.xml [...]``: extract and validate."""

import json
from pathlib import Path

from django.core.management.base import CommandError

HELP = ("E-invoices. `einvoice check FILE.pdf`: extract the Factur-X / ZUGFeRD XML of any PDF "
        "(or read a CII .xml) and validate it offline (XSD, EN 16931 / Factur-X schematron, "
        "French BR-FR rules); list each rule failure with its id, message and location. Exit "
        "code 1 when a rule fails or a check could not run.")


def add_arguments(parser):
    parser.add_argument("action", choices=["check"])
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="a Factur-X PDF, or its CII XML (.xml)")
    parser.add_argument("--no-french-rules", action="store_true",
                        help="skip the French BR-FR schematron (e.g. a foreign invoice)")
    parser.add_argument("--warnings", action="store_true",
                        help="also list the warnings (they never fail the check)")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def _xml_of(path):
    from ..einvoicing.pdf import EInvoiceError, extract

    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    data = path.read_bytes()
    if data.lstrip().startswith(b"<"):
        return path.name, data
    try:
        return extract(data)
    except EInvoiceError as exc:
        raise CommandError(f"{path}: {exc}") from exc


def run(command, options):
    from ..einvoicing.validation import validate_xml

    failed, results = 0, []
    for name in options["files"]:
        path = Path(name)
        attachment, xml = _xml_of(path)
        report = validate_xml(xml, french_rules=not options["no_french_rules"])
        shown = report.findings if options["warnings"] else report.failures
        results.append({
            "file": str(path), "attachment": attachment, "profile": report.level,
            "checks": report.checks_run, "valid": report.valid,
            "findings": [{"check": f.check, "rule": f.rule, "flag": f.flag,
                          "message": f.message, "location": f.location} for f in shown],
        })
        if not report.valid:
            failed += 1
        if options["format"] == "json":
            continue
        state = (command.style.SUCCESS("VALID") if report.valid
                 else command.style.ERROR("INVALID"))
        command.stdout.write(f"{state} {path} ({attachment}, profile {report.level or '?'}; "
                             f"checks run: {', '.join(report.checks_run) or 'none'})")
        for finding in shown:
            command.stdout.write(f"  {finding.flag.upper()} {finding.rule} [{finding.check}] "
                                 f"{finding.message}")
            if finding.location:
                command.stdout.write(f"    at {finding.location}")
    if options["format"] == "json":
        command.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
    if failed:
        raise CommandError(f"{failed} of {len(results)} file(s) failed the e-invoice check.")
