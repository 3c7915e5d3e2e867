"""Strict DOCX rendering with docxtpl.

Strict means: a variable the context does not define stops the rendering with an error that
names the variable and the template (jinja2 StrictUndefined), and every value is XML-escaped
(autoescape), so user text such as ``{{ 7*7 }}``, ``<w:t>`` or ``&`` comes out literally.
"""

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


def make_environment(lang):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(formatting.filters_for(lang))
    env.filters["multiline"] = multiline
    return env


def _undefined_name(exc):
    # StrictUndefined says "'x' is undefined" or "'dict object' has no attribute 'x'".
    message = str(exc)
    return message.rsplit("'", 2)[-2] if message.count("'") >= 2 else None


def normalize_docx(data):
    """Rewrite a DOCX with fixed ZIP timestamps: same content, same bytes, same SHA-256."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def render_docx(template_bytes, context, lang, template_name):
    """Fill a DOCX template; return the DOCX bytes. Raises RenderError with the template name."""
    template = DocxTemplate(io.BytesIO(template_bytes))
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
    # docxtpl stamps the core properties with "now": fix them so the output is reproducible.
    template.docx.core_properties.modified = template.docx.core_properties.created
    out = io.BytesIO()
    template.save(out)
    return normalize_docx(out.getvalue())
