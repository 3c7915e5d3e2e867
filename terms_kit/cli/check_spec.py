import datetime
import json

from django.core.management.base import CommandError
from django.utils import translation

from ..compliance import check_spec, has_blocking_errors
from ..exceptions import SpecError
from ..spec import validate_spec
from .import_spec import read_spec

HELP = "Check a JSON engagement spec against French law; exit status 1 when there is an error."


def add_arguments(parser):
    parser.add_argument("spec", help="path of the JSON spec file, or - for standard input")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--lang", choices=["fr", "en"], default=None,
                        help="language of the messages (default: the engagement's language)")
    parser.add_argument("--on", type=datetime.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD",
                        help="date whose rates apply (default: the engagement's issue date)")


def run(command, options):
    import sys

    data = read_spec(options["spec"], sys.stdin)
    errors = validate_spec(data)
    if errors:
        raise CommandError(str(SpecError(errors)))
    language = options["lang"] or data["engagement"].get("language", "fr")
    with translation.override(language):
        findings = check_spec(data, on=options["on"])
        count = {severity: sum(f.severity.value == severity for f in findings)
                 for severity in ("error", "warning", "info")}
        if options["format"] == "json":
            command.stdout.write(json.dumps(
                {"findings": [f.to_dict() for f in findings], "counts": count,
                 "blocking": has_blocking_errors(findings)},
                indent=2, ensure_ascii=False))
        else:
            for finding in findings:
                command.stdout.write(f"{finding.severity.value.upper():8} {finding.rule_id}  "
                                     f"[{finding.field}]\n    {finding.message}\n"
                                     f"    ({finding.source})")
            command.stdout.write(
                translation.gettext("%(error)s error(s), %(warning)s warning(s), %(info)s info.")
                % count)
        if has_blocking_errors(findings):
            raise CommandError(translation.gettext(
                "The engagement has %(n)s error(s): fix them before sending it.") % {
                "n": count["error"]})
