"""Checks a DOCX template before it is used: Jinja errors, unknown and unused variables.

Variables are compared as dotted paths ("seller.name", "lines[].net") against the context
that context.py builds, so a typo such as ``{{ seler.name }}`` is caught before any client
sees a document. Loop variables are followed: in ``{% for line in lines %}``, ``line.net``
is ``lines[].net``.
"""

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from docx import Document
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import nodes

from .context import KINDS, build_context
from .rendering import make_environment

SAMPLE_SPEC = Path(__file__).resolve().parent / "sample_spec.json"
SAMPLE_EXTRAS = {
    "acceptance": {"signer_name": "", "signer_email": "", "accepted_at": "", "ip_address": "",
                   "user_agent": "", "document_sha256": "", "terms_sha256": "",
                   "consents": ["text"]},
    # An issued invoice with every part filled (services/invoicing.py makes these).
    "invoice": {
        "number": "F-2026-0001", "date": "2026-01-01", "due_date": "2026-01-31",
        "kind": "milestone", "title": "", "excl_vat": "1", "vat": "0", "incl_vat": "1",
        "rows": [{"rate": "20", "base": "1", "vat": "0"}],
        "deductions": [{"reference": "", "kind": "deposit", "date": "", "amount": "1"}],
        "deducted": "1", "net": "0", "received_on": "", "paid": "1",
        "milestone": {"label": "", "deliverable": "", "validation": ""},
        "corrects": {"number": "", "date": ""}, "reason": "",
        "payment": {"amount": "1", "paid_on": "", "method": "", "reference": ""},
        "for_invoices": [""],
        "transfer": {"name": "", "iban": "", "bic": "", "amount": "1", "reference": ""},
    },
}
# Names Jinja itself provides inside templates.
BUILTIN_NAMES = {"loop", "range", "dict", "lipsum", "cycler", "joiner", "namespace"}


@dataclass
class LintReport:
    errors: list = field(default_factory=list)  # Jinja syntax errors, unknown filters
    unknown: list = field(default_factory=list)  # variables the context does not have
    unused: list = field(default_factory=list)  # context variables the template never uses

    @property
    def ok(self):
        return not self.errors and not self.unknown

    def lines(self):
        yield from (f"error: {error}" for error in self.errors)
        yield from (f"unknown variable: {name}" for name in self.unknown)
        yield from (f"unused variable: {name}" for name in self.unused)


def known_paths():
    """Every dotted path of the context (lists as "[]"), from a sample with all parts filled."""
    spec = json.loads(SAMPLE_SPEC.read_text(encoding="utf-8"))
    paths = set()

    def flatten(value, prefix):
        if prefix:
            paths.add(prefix)
        if isinstance(value, dict):
            for key, item in value.items():
                flatten(item, f"{prefix}.{key}" if prefix else key)
        elif isinstance(value, list) and value:
            flatten(value[0], f"{prefix}[]")

    for kind in KINDS:
        flatten(build_context(spec, kind, "fr", SAMPLE_EXTRAS), "")
    return paths


def _path(node, scope):
    if isinstance(node, nodes.Name):
        return scope.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, scope)
        return base and f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _path(node.node, scope)
        if base is None:
            return None
        if isinstance(node.arg.value, int):
            return f"{base}[]"
        return f"{base}.{node.arg.value}"
    return None


def _collect(node, scope, used):
    if isinstance(node, nodes.For):
        _collect(node.iter, scope, used)
        inner = dict(scope)
        source = _path(node.iter, scope)
        if source and isinstance(node.target, nodes.Name):
            inner[node.target.name] = f"{source}[]"
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            _collect(child, inner, used)
        return
    if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
        _collect(node.node, scope, used)
        scope[node.target.name] = f"(local {node.target.name})"
        return
    if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        path = _path(node, scope)
        if path:
            used.add(path)
            return
    for child in node.iter_child_nodes():
        _collect(child, scope, used)


def template_source(docx_bytes):
    """The Jinja source docxtpl renders: body, headers and footers, tags cleaned as docxtpl does."""
    template = DocxTemplate(io.BytesIO(docx_bytes))
    document = Document(io.BytesIO(docx_bytes))
    parts = [template.patch_xml(template.xml_to_string(document._element.body))]
    for rel in document.part.rels.values():
        if rel.reltype in (template.HEADER_URI, template.FOOTER_URI) and not rel.is_external:
            parts.append(template.patch_xml(template.xml_to_string(parse_xml(rel.target_part.blob))))
    return "\n".join(parts)


def lint(docx_bytes):
    report = LintReport()
    try:
        source = template_source(docx_bytes)
    except Exception as exc:  # not a DOCX at all: zip or XML errors
        report.errors.append(f"not a readable DOCX file ({exc})")
        return report
    env = make_environment("fr")
    try:
        tree = env.parse(source)
        env.from_string(source)  # compiling also catches unknown filters and tests
    except jinja2.TemplateSyntaxError as exc:
        report.errors.append(f"Jinja syntax error: {exc.message}")
        return report
    except jinja2.TemplateAssertionError as exc:
        report.errors.append(f"Jinja error: {exc.message}")
        return report
    used = set()
    _collect(tree, {}, used)
    known = known_paths()
    used = {path for path in used if path.split(".")[0].split("[")[0] not in BUILTIN_NAMES
            and not path.startswith("(local")}
    report.unknown = sorted(path for path in used if path not in known)
    leaves = {path for path in known if not any(other.startswith(path + ".") or
                                                other.startswith(path + "[]") for other in known)}
    report.unused = sorted(
        leaf for leaf in leaves
        if not any(leaf == path or leaf.startswith(path + ".") or leaf.startswith(path + "[]")
                   for path in used)
    )
    return report
