import json
from pathlib import Path

from django.core.management.base import CommandError

from ..documents import generation
from ..documents.context import KINDS
from ..documents.hashing import sha256
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
    out = Path(options["out"])
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    try:
        for kind in kinds:
            rendered = generation.render(spec, kind, options["lang"])
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
