"""Checks a DOCX template before it is used: unsafe code, Jinja errors, unknown and unused
variables.

The template code checked is exactly what docxtpl hands to Jinja when it renders (body,
headers, footers, document properties, footnotes, after docxtpl's own clean-up of tags split
across Word runs), parsed by the same sandboxed environment as rendering; then the template is
rendered once with a sample context, so what the sandbox stops at run time (a huge range(), a
value too long) is reported too.

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
from django.utils.translation import gettext as _
from jinja2 import nodes

from .context import KINDS, build_context
from .rendering import (
    CachedDocxTemplate,
    RenderError,
    docx_size_problem,
    make_environment,
    render_docx,
)
from .sandbox import SAFE_METHOD_NAMES, TemplateRefused, tag_at

SAMPLE_SPEC = Path(__file__).resolve().parent / "sample_spec.json"
SAMPLE_EXTRAS = {
    # A revised quote names the quote it replaces (services/documents.py).
    "replaces": {"number": "D-2026-0001", "issue_date": "2026-01-01"},
    "acceptance": {"signer_name": "", "signer_email": "", "accepted_at": "", "ip_address": "",
                   "user_agent": "", "document_sha256": "", "terms_sha256": "",
                   "terms_url": "", "consents": ["text"]},
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
        "reduction": {"accepted_total": "2", "billed": "1", "reduction": "1"},
        "transfer": {"name": "", "iban": "", "bic": "", "amount": "1", "reference": ""},
    },
    # A formal notice and a recourse summary with every part filled (terms_kit/dunning/).
    "notice": {
        "number": "MED-2026-0001", "date": "2026-03-02", "deadline_days": 8,
        "deadline_date": "2026-03-10", "debtor": "business", "consumer": False,
        "principal": "1", "interest": "1", "indemnity": "40", "total": "42",
        "indemnity_each": "40", "legal_rate": "2.62", "small_claims": True,
        "small_claims_limit": "5000", "runs_from_notice": False,
        "invoices": [{"number": "F-2026-0001", "date": "2026-01-01", "due_date": "2026-01-31",
                      "amount": "1", "paid": "0", "unpaid": "1", "days_late": 30,
                      "interest": "1", "indemnity": "40"}],
        "lines": [{"invoice": "F-2026-0001", "start": "2026-02-01", "end": "2026-03-02",
                   "base": "1", "rate": "12.15", "days": 30, "amount": "0.0100"}],
        "payments": [{"date": "2026-02-20", "amount": "1", "invoice": "F-2026-0001"}],
    },
    "recourse": {
        "date": "2026-03-17", "procedure": "injonction_tc", "procedure_label": "",
        "court": "", "cerfa": "12946*02", "claim_total": "1", "prescription_date": "2031-01-31",
        "prescription_years": 5, "notice_number": "MED-2026-0001", "notice_date": "2026-03-02",
        "debtor_kind": "business", "warnings": [""],
        "pieces": [{"name": "", "what": "", "sha256": ""}],
    },
    # An instalment plan as offered (services/plans.py).
    "plan": {
        "number": "ECH-2026-0001", "date": "2026-01-01", "debt": "1", "total": "1", "count": 1,
        "invoices": [{"number": "", "date": "", "due_date": "", "amount": "1",
                      "outstanding": "1"}],
        "instalments": [{"position": 1, "due_date": "", "amount": "1"}],
    },
}
# Names the sandbox provides inside templates (sandbox.GLOBALS, and loop inside a for).
BUILTIN_NAMES = {"loop", "range"}


@dataclass
class LintReport:
    unsafe: list = field(default_factory=list)  # what the sandbox refuses, with the tag
    errors: list = field(default_factory=list)  # Jinja syntax errors, unreadable files
    unknown: list = field(default_factory=list)  # variables the context does not have
    unused: list = field(default_factory=list)  # context variables the template never uses

    @property
    def ok(self):
        return not self.unsafe and not self.errors and not self.unknown

    def problems(self):
        """What makes the template unusable, one line each (the unused variables are not)."""
        yield from (_("refused: %(problem)s") % {"problem": item} for item in self.unsafe)
        yield from (_("error: %(error)s") % {"error": error} for error in self.errors)
        yield from (_("unknown variable: %(name)s") % {"name": name} for name in self.unknown)

    def lines(self):
        yield from self.problems()
        yield from (_("unused variable: %(name)s") % {"name": name} for name in self.unused)


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

    # The VAT mentions list is empty for the sample's taxed lines: a variant with a
    # reverse-charged line fills it (and the delivery address block).
    exempt = json.loads(json.dumps(spec))
    exempt["engagement"]["lines"][0].update(vat_rate="0.00", vat_exemption="reverse_charge")
    exempt["engagement"]["delivery_address"] = {
        "line1": "1 rue du Port", "line2": "", "postcode": "29200", "city": "Brest",
        "country": "FR"}
    for sample in (spec, exempt):
        for kind in KINDS:
            flatten(build_context(sample, kind, "fr", SAMPLE_EXTRAS), "")
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
        else:  # "for key, value in x.items()": names of no known shape
            for name in node.target.find_all(nodes.Name):
                inner[name.name] = f"(local {name.name})"
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = f"(local {node.target.name})"
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            _collect(child, inner, used)
        return
    if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
        _collect(node.node, scope, used)
        scope[node.target.name] = f"(local {node.target.name})"
        return
    if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr)
            and node.node.attr in SAFE_METHOD_NAMES):
        # seller.items(), client.name.upper(): the object is used, the method is no variable.
        for child in [node.node.node, *node.args, *node.kwargs]:
            _collect(child, scope, used)
        return
    if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        path = _path(node, scope)
        if path:
            used.add(path)
            return
    for child in node.iter_child_nodes():
        _collect(child, scope, used)


class _Echo:
    def __init__(self, source):
        self.source = source

    def render(self, context):
        return self.source


class _SourceRecorder:
    """Stands in for the Jinja environment in a docxtpl render and keeps every source it is
    given, so the linter sees exactly the template code rendering would compile."""

    def __init__(self):
        self.template = None
        self.sources = []

    def from_string(self, source):
        part = getattr(self.template, "current_rendering_part", None)
        name = str(part.partname) if part is not None and source.lstrip().startswith("<") else ""
        self.sources.append((_part_label(name), source))
        return _Echo(source)


def _part_label(partname):
    if partname.endswith("/document.xml"):
        return _("document body")
    if "/header" in partname:
        return _("header")
    if "/footer" in partname:
        return _("footer")
    if "/footnotes" in partname:
        return _("footnotes")
    return _("document properties")


def template_sources(docx_bytes):
    """[(part, Jinja source)] of a DOCX, each as docxtpl passes it to the Jinja environment."""
    recorder = _SourceRecorder()
    recorder.template = CachedDocxTemplate(io.BytesIO(docx_bytes))
    recorder.template.render({}, jinja_env=recorder)
    return recorder.sources


def _sample_context():
    spec = json.loads(SAMPLE_SPEC.read_text(encoding="utf-8"))
    return build_context(spec, "quote", "fr", SAMPLE_EXTRAS)


def _refused(exc, part):
    return [_("%(problem)s (%(part)s)") % {"problem": problem, "part": part}
            for problem in exc.problems]


def lint(docx_bytes):
    report = LintReport()
    size_problem = docx_size_problem(docx_bytes)
    if size_problem:
        report.errors.append(size_problem)
        return report
    try:
        sources = template_sources(docx_bytes)
    except Exception as exc:  # not a DOCX at all: zip or XML errors
        report.errors.append(_("not a readable DOCX file (%(error)s)") % {"error": exc})
        return report
    env = make_environment("fr")
    trees = []
    for part, source in sources:
        try:
            trees.append(env.parse(source))
            env.from_string(source)  # compiling also catches unknown filters and tests
        except TemplateRefused as exc:
            report.unsafe.extend(_refused(exc, part))
        except jinja2.TemplateSyntaxError as exc:
            report.errors.append(_("Jinja syntax error: %(error)s (%(part)s)")
                                 % {"error": exc.message, "part": part})
        except jinja2.TemplateAssertionError as exc:
            report.errors.append(_("Jinja error: %(error)s (%(part)s)")
                                 % {"error": exc.message, "part": part})
    if report.unsafe or report.errors:
        return report
    used = set()
    for tree in trees:
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
    if not report.unknown:
        _trial_render(docx_bytes, sources, report)
    return report


def _template_line(exc):
    """The template line the error was raised on (Jinja rewrites tracebacks to show it)."""
    lineno, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _trial_render(docx_bytes, sources, report):
    """Render once with the sample: what the sandbox stops at run time is refused too. Other
    failures depend on the data (the sample is not the expert's), so they are not reported."""
    try:
        render_docx(docx_bytes, _sample_context(), "fr", "lint")
    except RenderError as exc:
        if exc.refused:
            cause = exc.__cause__
            lineno = _template_line(cause)
            tag = next((found for found in (tag_at(source, lineno) for _part, source in sources)
                        if found.startswith("{")), "") if lineno else ""
            report.unsafe.append(f"{cause}: {tag}" if tag else str(cause))
    except Exception:  # noqa: BLE001 (see above: only the sandbox's refusals count here)
        pass
