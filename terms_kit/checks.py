"""System checks: each message names the setting to fix."""

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

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
            checks.Error(
                f"PDF documents cannot be made: {problem}",
                hint="See docs/documents.md (LibreOffice set-up) or set "
                "TERMS_KIT['PDF_CONVERTER'].",
                id="terms_kit.E005",
            )
        )
    for lang in Language.values:
        for kind in KINDS:
            try:
                find_template(kind, lang)
            except ImproperlyConfigured as exc:
                errors.append(checks.Error(str(exc), id="terms_kit.E006"))
    return errors


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
