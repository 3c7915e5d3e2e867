"""Plain-text e-mails are never HTML-escaped: an apostrophe in a client's or expert's name (or
in a French translation: "d'honoraires") must reach the client as typed, not as &#x27;."""

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

import terms_kit

TEMPLATES = Path(terms_kit.__file__).parent / "templates"
TEXT_EMAILS = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.txt"))
TYPED = "L'Atelier d'Ébène & Fils <contact>"


class AnyName(dict):
    """A context in which every variable is the same text typed by a user."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return TYPED


def test_every_text_email_is_found():
    assert len(TEXT_EMAILS) >= 10, TEXT_EMAILS


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", TEXT_EMAILS)
def test_text_email_keeps_what_was_typed(name, lang):
    with translation.override(lang):
        body = render_to_string(name, AnyName())
    assert TYPED in body
    assert not any(entity in body for entity in ("&#x27;", "&#39;", "&amp;", "&lt;", "&quot;"))
