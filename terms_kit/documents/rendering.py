"""Strict DOCX rendering with docxtpl.

Strict means: a variable the context does not define stops the rendering with an error that
names the variable and the template (jinja2 StrictUndefined), and every value is XML-escaped
(autoescape), so user text such as ``{{ 7*7 }}``, ``<w:t>`` or ``&`` comes out literally.
"""

import functools
import io
import zipfile

import jinja2
from docxtpl import DocxTemplate
from markupsafe import Markup, escape

from ..exceptions import TermsKitError
from . import formatting

# A line break inside a run: close the text, break, reopen (docxtpl's own Listing does the same).
_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
# Fixed ZIP timestamps so one input gives byte-identical DOCX files (1980-01-01 is ZIP's epoch).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class RenderError(TermsKitError):
    """A template that cannot be rendered with the context it was given."""

    def __init__(self, template_name, message, variable=None):
        self.template_name = template_name
        self.variable = variable
        super().__init__(f"Template {template_name}: {message}")


def multiline(value):
    """Keep the line breaks of free text; each line is escaped before the breaks are added."""
    return _BREAK.join(escape(line) for line in str(value).splitlines())


class _Environment(jinja2.Environment):
    """Keeps compiled templates: docxtpl compiles the document XML on every render, and
    compiling is most of a render's time (a quote: ~25 of ~45 ms)."""

    max_cached = 128

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class:
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.max_cached:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


@functools.cache
def make_environment(lang):
    env = _Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(formatting.filters_for(lang))
    env.filters["multiline"] = multiline
    return env


class _Template(DocxTemplate):
    """docxtpl's template, remembering the tag clean-up (regular expressions over the whole
    document XML) of the XML it has already seen: the same template XML gives the same result."""

    _patched = {}

    def patch_xml(self, src_xml):
        patched = self._patched.get(src_xml)
        if patched is None:
            if len(self._patched) >= 128:
                self._patched.clear()
            patched = self._patched[src_xml] = super().patch_xml(src_xml)
        return patched


def _undefined_name(exc):
    # StrictUndefined says "'x' is undefined" or "'dict object' has no attribute 'x'".
    message = str(exc)
    return message.rsplit("'", 2)[-2] if message.count("'") >= 2 else None


def normalize_docx(data):
    """Rewrite a DOCX with fixed ZIP timestamps: same content, same bytes, same SHA-256."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    # Level 1: the parts were compressed once already; speed matters more than a few KB here.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename), compresslevel=1)
    return out.getvalue()


QR_MARKER = "[[EPC_QR]]"


def _place_qr_code(document, context):
    """Replace the paragraph that reads QR_MARKER by the transfer's EPC QR code (an image
    cannot come from a text tag: it is added here, from the snapshot's transfer details)."""
    invoice = context.get("invoice") if isinstance(context, dict) else None
    transfer = (invoice or {}).get("transfer")
    for paragraph in document.paragraphs:
        if paragraph.text.strip() != QR_MARKER:
            continue
        for run in paragraph.runs:
            run.text = ""
        if transfer and transfer.get("iban") and transfer.get("amount"):
            from docx.shared import Cm

            from ..payments.transfer import Transfer, epc_png

            png = epc_png(Transfer(name=transfer.get("name", ""), iban=transfer["iban"],
                                   bic=transfer.get("bic", ""), amount=transfer["amount"],
                                   reference=transfer.get("reference", "")))
            paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(3.2))


def render_docx(template_bytes, context, lang, template_name):
    """Fill a DOCX template; return the DOCX bytes. Raises RenderError with the template name."""
    template = _Template(io.BytesIO(template_bytes))
    try:
        template.render(context, jinja_env=make_environment(lang), autoescape=True)
    except jinja2.UndefinedError as exc:
        name = _undefined_name(exc)
        raise RenderError(
            template_name,
            f"undefined variable {name!r} ({exc}). Use only the variables listed by "
            "`manage.py termskit lint-template`.",
            variable=name,
        ) from exc
    except jinja2.TemplateError as exc:
        raise RenderError(template_name, f"template error: {exc}") from exc
    _place_qr_code(template.docx, context)
    # docxtpl stamps the core properties with "now": fix them so the output is reproducible.
    template.docx.core_properties.modified = template.docx.core_properties.created
    out = io.BytesIO()
    template.save(out)
    return normalize_docx(out.getvalue())
