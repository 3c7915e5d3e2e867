import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from terms_kit.checks import check_private_storage, check_public_base_url, check_terms_kit_settings
from terms_kit.conf import app_settings
from terms_kit.exceptions import TermsKitError
from terms_kit.services.acceptance import client_url
from terms_kit.storage import private_storage


def ids(messages):
    return [m.id for m in messages]


def test_default_configuration_is_clean(settings):
    settings.TERMS_KIT = {}
    assert check_terms_kit_settings() == []


def test_settings_are_read_lazily(settings):
    settings.TERMS_KIT = {"QUOTE_NUMBER_PREFIX": "Q"}
    assert app_settings.QUOTE_NUMBER_PREFIX == "Q"
    settings.TERMS_KIT = {}
    assert app_settings.QUOTE_NUMBER_PREFIX == "D"


def test_unknown_key_is_named(settings):
    settings.TERMS_KIT = {"QUOTE_PREFIX": "Q"}
    [warning] = check_terms_kit_settings()
    assert warning.id == "terms_kit.W001" and "TERMS_KIT['QUOTE_PREFIX']" in warning.msg


def test_wrong_values_name_the_setting_to_fix(settings):
    settings.TERMS_KIT = {"CURRENCY": "USD", "NUMBER_DIGITS": 0}
    messages = check_terms_kit_settings()
    assert ids(messages) == ["terms_kit.E002", "terms_kit.E003"]
    assert "TERMS_KIT['NUMBER_DIGITS']" in messages[1].msg


def test_not_a_dict(settings):
    settings.TERMS_KIT = ["oops"]
    assert ids(check_terms_kit_settings()) == ["terms_kit.E001"]


def test_missing_required_app_is_named(monkeypatch):
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "django_tasks" and installed(name))
    messages = check_terms_kit_settings()
    assert ids(messages) == ["terms_kit.E004"] and "'django_tasks'" in messages[0].msg


# --- The public address of client links (a stock Wagtail project has http://example.com).

@pytest.mark.parametrize("value", [None, "http://example.com", "https://www.example.org/"])
def test_a_missing_or_placeholder_public_address_is_a_warning(settings, value):
    settings.TERMS_KIT = {"PUBLIC_BASE_URL": value} if value else {}
    [warning] = check_public_base_url()
    assert warning.id == "terms_kit.W003" and "TERMS_KIT['PUBLIC_BASE_URL']" in warning.hint


def test_a_real_public_address_passes(settings):
    settings.TERMS_KIT = {"PUBLIC_BASE_URL": "https://terms.cabinet-durand.fr"}
    assert check_public_base_url() == []


@pytest.mark.django_db
def test_client_links_never_use_the_stock_example_address(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://example.com"
    settings.TERMS_KIT = {}
    with pytest.raises(TermsKitError, match=r"TERMS_KIT\['PUBLIC_BASE_URL'\]"):
        client_url("t0ken")
    # The sending admin request's own address is used when nothing better is configured...
    assert client_url("t0ken", base_url="https://admin.cabinet.fr/").startswith(
        "https://admin.cabinet.fr/terms/c/t0ken/")
    # ...and the configured public address wins over both.
    settings.TERMS_KIT = {"PUBLIC_BASE_URL": "https://terms.cabinet.fr"}
    assert client_url("t0ken", base_url="http://10.0.0.5:8000/").startswith(
        "https://terms.cabinet.fr/terms/c/t0ken/")


# --- Private storage of terms-kit's files.

def test_no_private_place_for_files_is_an_error_naming_both_settings(settings):
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "terms_kit"}
    settings.TERMS_KIT = {}
    [error] = check_private_storage()
    assert error.id == "terms_kit.E007"
    assert "TERMS_KIT['PRIVATE_ROOT']" in error.msg and "STORAGES['terms_kit']" in error.msg
    with pytest.raises(ImproperlyConfigured):
        private_storage.exists("terms_kit/x.pdf")


def test_a_private_root_inside_media_root_is_refused(settings, tmp_path):
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "terms_kit"}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TERMS_KIT = {"PRIVATE_ROOT": tmp_path / "media" / "private"}
    [error] = check_private_storage()
    assert error.id == "terms_kit.E008" and "MEDIA_ROOT" in error.msg
    settings.TERMS_KIT = {"PRIVATE_ROOT": tmp_path / "private"}
    assert check_private_storage() == []
    assert private_storage.path("a.pdf") == str(tmp_path / "private" / "a.pdf")


def test_a_host_storage_alias_is_used_when_defined(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "terms_kit": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "elsewhere")}}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    assert check_private_storage() == []
    assert private_storage.path("a.pdf") == str(tmp_path / "elsewhere" / "a.pdf")
    settings.STORAGES = {**settings.STORAGES, "terms_kit": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media" / "tk")}}}
    assert [e.id for e in check_private_storage()] == ["terms_kit.E008"]


# --- What the machine lacks never stops migrate or makemigrations.

@pytest.mark.django_db
def test_migrate_runs_without_libreoffice_seal_or_templates(settings, tmp_path):
    settings.TERMS_KIT = {
        **settings.TERMS_KIT,
        "PDF_CONVERTER": "terms_kit.documents.converters.cold.ColdSofficeConverter",
        "PDF_CONVERTER_OPTIONS": {"soffice": "/nowhere/soffice"},
        "DEFAULT_TEMPLATE_DIR": str(tmp_path / "no-templates"),
        "SEAL_CERTIFICATE": str(tmp_path / "missing.pem"),
    }
    found = {m.id for m in run_checks()}
    assert {"terms_kit.W005", "terms_kit.W006", "terms_kit.W002"} <= found
    assert not [m for m in run_checks() if m.is_serious()]
    call_command("migrate", verbosity=0, skip_checks=False)  # raises SystemCheckError if blocked
    call_command("makemigrations", "--check", "--dry-run", verbosity=0, skip_checks=False)
