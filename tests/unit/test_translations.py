"""French and English: catalogues complete, compiled, and used."""

import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from terms_kit.models import Engagement
from terms_kit.status import Status

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / "terms_kit" / "locale", ROOT / "locale"]  # the app's and the demo site's


@pytest.mark.parametrize("locale", CATALOGUES, ids=["terms_kit", "site"])
def test_french_catalogue_is_complete(locale):
    import polib

    po = polib.pofile(str(locale / "fr" / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("locale", CATALOGUES, ids=["terms_kit", "site"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_its_source(locale, language, tmp_path):
    po = locale / language / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        "Run `django-admin compilemessages` in terms_kit/ and commit the .mo files."
    )


def test_labels_follow_the_active_language():
    field = Engagement._meta.get_field("late_penalty_rate")
    with translation.override("fr"):
        assert str(field.verbose_name) == "taux des pénalités de retard (% par an)"
        assert str(Status(Status.FORMAL_NOTICE).label) == "Mise en demeure envoyée"
    with translation.override("en"):
        assert str(field.verbose_name) == "late-penalty rate (% a year)"
