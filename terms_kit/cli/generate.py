import json
from pathlib import Path

from django.core.management.base import CommandError

from ..documents import generation
from ..documents.context import KINDS
from ..documents.hashing import sha256
from ..documents.linting import lint
from ..documents.templates import from_bytes
from ..exceptions import SpecError, TermsKitError
from ..spec import validate_spec

HELP = "Write the documents of a JSON engagement spec (DOCX and PDF/A) and print a manifest."


def add_arguments(parser):
    parser.add_argument("spec", help="path of an engagement spec (JSON)")
    parser.add_argument("--out", required=True, help="folder to write the files to")
    parser.add_argument("--lang", choices=["fr", "en"], help="default: the engagement's language")
    parser.add_argument("--format", default="docx,pdf", help="docx, pdf or docx,pdf")
    parser.add_argument(
        "--kinds", help=f"comma-separated, among {', '.join(KINDS)}; default: those that apply"
    )
    parser.add_argument(
        "--template", action="append", default=[], metavar="KIND=FILE.docx",
        help="render KIND with this DOCX template instead of the configured one (checked by "
             "lint-template and rendered in the same sandbox); repeatable",
    )


def _read_templates(values):
    """{kind: Template} from KIND=FILE.docx values; each file must pass the linter."""
    templates = {}
    for value in values:
        kind, sep, filename = value.partition("=")
        kind = kind.strip()
        if not sep or not filename:
            raise CommandError(
                f"--template {value!r}: write KIND=FILE.docx, e.g. quote=devis.docx."
            )
        if kind not in KINDS:
            raise CommandError(
                f"--template {value!r}: unknown kind {kind!r}; use one of {', '.join(KINDS)}."
            )
        if kind in templates:
            raise CommandError(f"--template: {kind} is given twice.")
        path = Path(filename)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"--template {value!r}: cannot read {path}: {exc.strerror}."
            ) from exc
        report = lint(content)
        if not report.ok:
            problems = "\n".join(report.problems())
            raise CommandError(
                f"--template {value!r}: {path.name} is refused by `termskit lint-template`:\n"
                f"{problems}"
            )
        templates[kind] = from_bytes(path.name, content, path)
    return templates


def _read_spec(path):
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}.") from exc
    errors = validate_spec(spec)
    if errors:
        raise CommandError(str(SpecError(errors)))
    return spec


def run(command, options):
    spec = _read_spec(options["spec"])
    formats = {item.strip() for item in options["format"].split(",") if item.strip()}
    if not formats or formats - {"docx", "pdf"}:
        raise CommandError("--format takes docx, pdf or docx,pdf.")
    kinds = options["kinds"].split(",") if options["kinds"] else generation.applicable_kinds(spec)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise CommandError(f"Unknown kind(s) {', '.join(sorted(unknown))}; use {', '.join(KINDS)}.")
    templates = _read_templates(options["template"])
    skipped = set(templates) - set(kinds)
    if skipped:
        raise CommandError(
            f"--template given for {', '.join(sorted(skipped))}, which is not generated here; "
            f"add it to --kinds."
        )
    out = Path(options["out"])
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    try:
        for kind in kinds:
            rendered = generation.render(spec, kind, options["lang"],
                                         template=templates.get(kind))
            files = {"docx": rendered.docx}
            if "pdf" in formats:
                files["pdf"] = generation.to_pdf(rendered.docx)
            for extension in sorted(formats):
                path = out / f"{kind}_{rendered.language}.{extension}"
                path.write_bytes(files[extension])
                manifest.append({"file": str(path), "sha256": sha256(files[extension])})
    except TermsKitError as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(json.dumps(manifest, indent=2, ensure_ascii=False))
