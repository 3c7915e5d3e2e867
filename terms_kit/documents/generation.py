"""From a spec to document files, without the database: used by the service and the CLI.

A document is made from a *snapshot*: the part of the spec its text depends on, plus the
extras (acceptance, invoice) given for it. The terms of sale (CGV) depend on the expert, the
terms text and whether consumer mentions apply, not on the engagement's lines: so a published
CGV version renders to one file, reused by every engagement that shares those inputs.
"""

from dataclasses import dataclass

from .context import build_context
from .converters import get_converter
from .converters.base import PDFA_VERSION
from .hashing import json_sha256
from .rendering import render_docx
from .templates import find_template


@dataclass(frozen=True)
class Rendered:
    kind: str
    language: str
    template_name: str
    template_sha256: str
    snapshot: dict
    cache_key: str
    docx: bytes


def snapshot_of(spec, kind, extras=None):
    """The canonical inputs of one document (plain JSON types)."""
    if kind == "terms":
        client, engagement = spec["client"], spec["engagement"]
        reduced = {
            "spec_version": spec["spec_version"],
            "identity": spec["identity"],
            "terms": spec.get("terms"),
            # Only what rules.flags() reads, so the CGV render is shared across engagements.
            "client": {"kind": client["kind"], "name": "", "headcount": client.get("headcount"),
                       "outside_core_activity": client.get("outside_core_activity", False)},
            "engagement": {"channel": engagement.get("channel"),
                           "early_start_requested": False, "lines": [],
                           "payment": {"model": "full_prepayment"}},
        }
        return {"spec": reduced, "extras": {}}
    body = {key: value for key, value in spec["engagement"].items() if key != "status"}
    return {"spec": {**spec, "engagement": body}, "extras": extras or {}}


def document_language(spec, lang=None):
    return lang or spec["engagement"].get("language") or spec["client"].get("language") or "fr"


def render(spec, kind, lang=None, extras=None, owner=None, template=None):
    """Render one DOCX from a spec; the result carries what an issued record stores.

    With an ``owner``, that expert's uploaded template is used when they have one; a
    ``template`` (templates.Template) given explicitly is used instead of any lookup."""
    lang = document_language(spec, lang)
    snapshot = snapshot_of(spec, kind, extras)
    template = template or find_template(kind, lang, owner)
    context = build_context(snapshot["spec"], kind, lang, snapshot["extras"])
    key = json_sha256(
        {"kind": kind, "language": lang, "template": template.sha256, "snapshot": snapshot}
    )
    docx = render_docx(template.content, context, lang, template.name)
    return Rendered(kind, lang, template.name, template.sha256, snapshot, key, docx)


def to_pdf(docx, converter=None, pdf_version=PDFA_VERSION):
    """PDF/A-2b by default; PDF/A-3b (``PDFA3``) for a Factur-X invoice."""
    converter = converter or get_converter()
    if pdf_version == PDFA_VERSION:
        return converter.convert(docx)  # backends written before PDF/A-3 keep working
    return converter.convert(docx, pdf_version=pdf_version)


def applicable_kinds(spec):
    """The kinds that make sense for an engagement: no deposit invoice without a deposit."""
    kinds = ["quote", "terms", "certificate"]
    if spec["engagement"]["payment"].get("deposit_percent"):
        kinds.append("deposit_invoice")
    kinds.append("final_invoice")
    if not spec.get("terms"):
        kinds.remove("terms")
    return kinds

