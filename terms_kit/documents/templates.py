"""Finding the DOCX template of a document kind and language.

Order: the expert's own uploaded template (``ExpertTemplate``, when an owner is given), then
``TERMS_KIT["DOCUMENT_TEMPLATES"]["<kind>_<lang>"]`` (one file), then each folder of
``TERMS_KIT["DOCUMENT_TEMPLATE_DIRS"]``, then the default folder (``terms_kit/doc_templates/``,
shipped inside the package, or ``TERMS_KIT["DEFAULT_TEMPLATE_DIR"]``). Templates are read once
per file modification and identified by their SHA-256, stored with each issued document.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ..conf import app_settings
from .hashing import sha256

# Shipped as package data (pyproject.toml), so a wheel install has them too.
PACKAGE_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "doc_templates"


@dataclass(frozen=True)
class Template:
    name: str  # e.g. "quote_fr.docx"
    path: Path
    content: bytes
    sha256: str


_cache = {}


def default_dir():
    return Path(app_settings.DEFAULT_TEMPLATE_DIR or PACKAGE_TEMPLATE_DIR)


def candidate_paths(kind, lang):
    key = f"{kind}_{lang}"
    override = (app_settings.DOCUMENT_TEMPLATES or {}).get(key)
    if override:
        yield Path(override)
    for folder in app_settings.DOCUMENT_TEMPLATE_DIRS or ():
        yield Path(folder) / f"{key}.docx"
    yield default_dir() / f"{key}.docx"


def load_file(path):
    path = Path(path)
    stamp = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    content = path.read_bytes()
    template = Template(name=path.name, path=path, content=content, sha256=sha256(content))
    _cache[path] = (stamp, template)
    return template


def from_bytes(name, content, path=None):
    return Template(name=name, path=path, content=content, sha256=sha256(content))


def expert_template(kind, lang, owner):
    from ..models import ExpertTemplate

    uploaded = ExpertTemplate.objects.filter(owner=owner, kind=kind, language=lang).first()
    if uploaded is None:
        return None
    return Template(
        name=f"{uploaded.file.name} (uploaded)", path=None, content=uploaded.read(),
        sha256=uploaded.sha256,
    )


def find_template(kind, lang, owner=None):
    if owner is not None:
        uploaded = expert_template(kind, lang, owner)
        if uploaded is not None:
            return uploaded
    tried = []
    for path in candidate_paths(kind, lang):
        if path.is_file():
            return load_file(path)
        tried.append(str(path))
    raise ImproperlyConfigured(
        f"No DOCX template for {kind!r} in {lang!r}; looked in: {', '.join(tried)}. Set "
        f"TERMS_KIT['DOCUMENT_TEMPLATES']['{kind}_{lang}'] or TERMS_KIT['DEFAULT_TEMPLATE_DIR']."
    )
