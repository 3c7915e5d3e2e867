"""The starter clause set and the default CGV cannot drift: every section of the default
texts is one starter clause of the same audience, read from it (same title, same text in
French and English), and the starter clauses assembled in that order give the default CGV's
sections back through the builder, publishable."""

import json
import re
from importlib.resources import files

import pytest

from terms_kit.compliance.terms_topics import topic_findings
from terms_kit.documents.default_terms import TEXTS, sections
from terms_kit.models import BusinessIdentity, TermsBuild
from terms_kit.services import clauses as service
from terms_kit.services.terms import publish_terms


def _by_section(kind):
    return {item["default_terms"]["section"]: item for item in service.starter_clauses()
            if (item.get("default_terms") or {}).get("kind") == kind}


@pytest.mark.parametrize("kind", ["business", "consumer"])
def test_each_default_section_is_one_starter_clause_with_the_same_text(kind):
    starter = _by_section(kind)
    for lang in ("fr", "en"):
        found = sections(kind, lang)
        assert [n for n, _t, _x in found] == list(range(1, len(found) + 1))
        assert sorted(starter) == [n for n, _t, _x in found], "a section has no starter clause"
        for number, title, text in found:
            clause = starter[number]
            assert clause["audience"] == kind
            assert clause[f"text_{lang}"] == text
            assert clause["title" if lang == "fr" else "title_en"] == title


def test_the_json_holds_no_copy_of_a_default_text():
    raw = json.loads(files("terms_kit.clauses").joinpath("starter_clauses.json").read_text(
        encoding="utf-8"))["clauses"]
    for item in raw:
        if item.get("default_terms"):
            assert not {"title", "title_en", "text_fr", "text_en"} & set(item), item["key"]
    keys = [item["key"] for item in raw]
    assert len(keys) == len(set(keys))


def test_sections_give_the_default_text_back():
    for (kind, lang), body in TEXTS.items():
        rebuilt = "".join(f"# {n}. {title}\n{text}\n" for n, title, text in sections(kind, lang))
        assert rebuilt == body


def test_every_starter_clause_has_both_titles_both_texts_and_cites_its_sources():
    for item in service.starter_clauses():
        for field in ("title", "title_en", "text_fr", "text_en", "sources"):
            assert item[field].strip(), (item["key"], field)
        # the English text is a translation, not a copy ("Force majeure" is both languages'
        # title, so titles may be equal)
        assert item["text_fr"] != item["text_en"], item["key"]
        # each names a code or law and an article number
        assert re.search(r"\b(C\. \w+|CGI|CPI|CPC|Loi|loi|RGPD)\b.*\d", item["sources"]), item


@pytest.mark.django_db
@pytest.mark.parametrize("kind,lang", [("business", "fr"), ("consumer", "fr"),
                                       ("business", "en"), ("consumer", "en")])
def test_the_starter_clauses_assemble_into_the_default_terms(make_expert, kind, lang):
    """`manage.py termskit clauses install --owner USER`, then terms built from the starter
    clauses of one audience in French or in English: the default CGV's sections of that
    language come back, headings included, and the version is publishable."""
    from django.core.management import call_command

    from terms_kit.models import Clause

    owner = make_expert("carla")
    BusinessIdentity.objects.create(owner=owner, legal_name="Carla Conseil EI",
                                    email="carla@example.fr")
    call_command("termskit", "clauses", "install", "--owner", "carla")
    library = {c.starter_key: c for c in Clause.objects.filter(owner=owner)}
    ordered = [library[item["key"]] for _n, item in sorted(_by_section(kind).items())]
    assert topic_findings(kind, [c.topic for c in ordered]) == []
    for clause in library.values():
        assert clause.sources.strip() and clause.title_en.strip() and clause.text_en.strip()
    terms = publish_terms(service.build_terms(owner, title="CGV", language=lang,
                                              audience=kind, clauses=ordered))
    built = TermsBuild.objects.get(terms_version=terms).clauses.order_by("position")
    assert [(b.position, b.title, b.text) for b in built] == sections(kind, lang)
    assert terms.body.startswith(f"# 1. {sections(kind, lang)[0][1]}\n")
