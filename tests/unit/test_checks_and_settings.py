from terms_kit.checks import check_terms_kit_settings
from terms_kit.conf import app_settings


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
