"""System checks: each message names the setting to fix or the package to install.

Errors are for settings that make terms-kit wrong (they stop `migrate`, as they should).
What depends on the machine (LibreOffice, python3-uno, fonts, template and seal files) is a
warning: the admin, the spec tools and the compliance checker still work without it, and
`migrate`/`makemigrations` must run on a build machine that has no LibreOffice. Run
`manage.py check --deploy --fail-level WARNING` where the site will serve clients.
"""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

from . import storage
from .conf import DEFAULTS, app_settings

REQUIRED_APPS = ("wagtail", "wagtail.admin", "modelcluster", "django_tasks")


@checks.register()
def check_terms_kit_settings(app_configs=None, **kwargs):
    errors = []
    if not isinstance(getattr(settings, "TERMS_KIT", {}), dict):
        return [
            checks.Error(
                "TERMS_KIT must be a dict.",
                hint="Set TERMS_KIT = {} in your settings, then add the keys you need.",
                id="terms_kit.E001",
            )
        ]
    for key in app_settings.unknown_keys():
        errors.append(
            checks.Warning(
                f"TERMS_KIT[{key!r}] is not a terms-kit setting and is ignored.",
                hint="Known settings: " + ", ".join(sorted(DEFAULTS)),
                id="terms_kit.W001",
            )
        )
    if app_settings.CURRENCY != "EUR":
        errors.append(
            checks.Error(
                f"TERMS_KIT['CURRENCY'] is {app_settings.CURRENCY!r}; only 'EUR' is supported.",
                hint="Remove TERMS_KIT['CURRENCY'] or set it to 'EUR'.",
                id="terms_kit.E002",
            )
        )
    digits = app_settings.NUMBER_DIGITS
    if not isinstance(digits, int) or not 1 <= digits <= 9:
        errors.append(
            checks.Error(
                f"TERMS_KIT['NUMBER_DIGITS'] is {digits!r}; it must be a whole number 1 to 9.",
                hint="Set TERMS_KIT['NUMBER_DIGITS'] = 4 (the default).",
                id="terms_kit.E003",
            )
        )
    for app in REQUIRED_APPS:
        if not apps.is_installed(app):
            errors.append(
                checks.Error(
                    f"terms_kit needs {app!r} in INSTALLED_APPS.",
                    hint=f"Add {app!r} to INSTALLED_APPS.",
                    id="terms_kit.E004",
                )
            )
    return errors


@checks.register()
def check_document_generation(app_configs=None, **kwargs):
    """A missing PDF converter or template is reported at start-up, not at the first document."""
    from .documents.context import KINDS
    from .documents.converters import ConverterUnavailable, get_converter
    from .documents.templates import find_template
    from .models.base import Language

    errors = []
    try:
        problems = get_converter().problems()
    except ConverterUnavailable as exc:
        problems = [str(exc)]
    for problem in problems:
        errors.append(
            checks.Warning(
                f"PDF documents cannot be made: {problem}",
                hint="On Debian/Ubuntu: apt-get install libreoffice-writer-nogui python3-uno "
                "fonts-dejavu (docs/installation.md), or set TERMS_KIT['PDF_CONVERTER'].",
                id="terms_kit.W005",
            )
        )
    for lang in Language.values:
        for kind in KINDS:
            try:
                find_template(kind, lang)
            except ImproperlyConfigured as exc:
                errors.append(checks.Warning(str(exc), id="terms_kit.W006"))
    if uses_libreoffice() and not dejavu_installed():
        errors.append(
            checks.Warning(
                "The DejaVu fonts of the default templates are not installed: LibreOffice "
                "would substitute another font in the PDF/A.",
                hint="apt-get install fonts-dejavu (check with: fc-list | grep DejaVuSans).",
                id="terms_kit.W007",
            )
        )
    return errors


def uses_libreoffice():
    return "gotenberg" not in str(app_settings.PDF_CONVERTER).lower()


def dejavu_installed():
    """fontconfig (installed with LibreOffice) knows the DejaVu Sans family."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True  # no fontconfig: LibreOffice is missing too, W005 says so
    found = subprocess.run([fc_list, "DejaVu Sans", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


@checks.register()
def check_seal_certificate(app_configs=None, **kwargs):
    """Acceptance seals the signed pack: say which seal setting is missing before a client signs."""
    from .documents import sealing

    return [
        checks.Warning(
            f"Signed packs cannot be sealed: {problem}",
            hint="Set TERMS_KIT['SEAL_CERTIFICATE'] and TERMS_KIT['SEAL_KEY'] (PEM paths; "
            "`manage.py termskit make-seal-certificate --out var/seal` makes a demo one). "
            "See docs/configuration.md.",
            id="terms_kit.W002",
        )
        for problem in sealing.problems()
    ]


# Hosts reserved for examples (RFC 2606): `wagtail start` puts http://example.com in
# WAGTAILADMIN_BASE_URL, and a client must never get a link there.
PLACEHOLDER_HOSTS = {"example.com", "example.org", "example.net"}


def is_placeholder_url(url):
    host = (urlsplit(str(url or "")).hostname or "").lower()
    return not host or host in PLACEHOLDER_HOSTS or host.endswith(
        tuple("." + name for name in PLACEHOLDER_HOSTS))


@checks.register()
def check_public_base_url(app_configs=None, **kwargs):
    """Links in client e-mails start with PUBLIC_BASE_URL: say so before a client gets one."""
    url = app_settings.PUBLIC_BASE_URL
    if url and not is_placeholder_url(url):
        return []
    if url:
        problem = f"TERMS_KIT['PUBLIC_BASE_URL'] is {url!r}, a placeholder address."
    else:
        problem = "TERMS_KIT['PUBLIC_BASE_URL'] is not set."
    return [
        checks.Warning(
            problem + " Client e-mails would carry links to the admin request's address or to "
            f"WAGTAILADMIN_BASE_URL ({getattr(settings, 'WAGTAILADMIN_BASE_URL', None)!r}).",
            hint="Set TERMS_KIT['PUBLIC_BASE_URL'] to the address clients reach the site at, "
            "e.g. 'https://terms.example.fr'.",
            id="terms_kit.W003",
        )
    ]


def _inside(path, folder):
    if not path or not folder:
        return False
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


@checks.register()
def check_private_storage(app_configs=None, **kwargs):
    """Issued documents, sealed packs and expert templates must never be under a public URL."""
    if storage.uses_alias():
        backend = storage.configured_storage()
        # Only a folder on disk can be under MEDIA_ROOT (InMemoryStorage has a nominal one).
        location = backend.location if isinstance(backend, FileSystemStorage) else None
        where = "STORAGES['terms_kit']"
    elif app_settings.PRIVATE_ROOT:
        location = app_settings.PRIVATE_ROOT
        where = "TERMS_KIT['PRIVATE_ROOT']"
    else:
        return [checks.Error(storage.NOT_CONFIGURED, id="terms_kit.E007")]
    for public in ("MEDIA_ROOT", "STATIC_ROOT"):
        if _inside(location, getattr(settings, public, None)):
            return [
                checks.Error(
                    f"{where} ({location}) is inside {public}: clients' documents and signed "
                    "packs would be public.",
                    hint=f"Use a folder outside {public}, e.g. BASE_DIR / 'private'.",
                    id="terms_kit.E008",
                )
            ]
    return []

@checks.register()
def check_payment_provider(app_configs=None, **kwargs):
    """An online payment backend that cannot work is reported at start-up, naming the setting."""
    from .payments.providers import get_provider

    if not app_settings.PAYMENT_PROVIDER:
        return []
    try:
        problems = get_provider().problems()
    except ImproperlyConfigured as exc:
        problems = [str(exc)]
    return [
        checks.Error(
            f"Online payment cannot work: {problem}",
            hint="Set the missing setting, or TERMS_KIT['PAYMENT_PROVIDER'] = None to turn "
            "online payment off. See docs/payments.md (Stripe).",
            id="terms_kit.E020",
        )
        for problem in problems
    ]
