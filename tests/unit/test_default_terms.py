"""The default CGV texts (issue 13): two complete texts, business and consumer, fr and en."""

import re

import pytest

from terms_kit.documents.context import _terms
from terms_kit.documents.default_terms import default_terms

# Each topic the issue lists, as words a reader of that section finds (fr, en).
TOPICS = {
    "object": (r"objet", r"purpose"),
    "price": (r"\bprix\b", r"\bprice\b"),
    "payment terms": (r"conditions de paiement|paiement", r"payment"),
    "cancellation and refunds": (r"annulation.*rembours", r"cancellation.*refund"),
    "intellectual property": (r"propriété intellectuelle", r"intellectual property"),
    "liability": (r"responsabilité", r"liability"),
    "confidentiality": (r"confidentialité", r"confidentiality"),
    "personal data": (r"données personnelles", r"personal data"),
    "force majeure": (r"force majeure", r"force majeure"),
    "applicable law and courts": (r"droit applicable et juridiction", r"governing law and courts"),
}
BUSINESS_ONLY = {
    "penalties": (r"pénalités.*L441-10 II", r"penalties.*L441-10 II"),
    "40 € indemnity": (r"40\s€.*D441-5", r"€40.*D441-5"),
}
CONSUMER_ONLY = {
    "withdrawal": (r"rétractation.*L221-18", r"withdraw.*L221-18"),
    "withdrawal online": (r"L221-21", r"L221-21"),
    "refund within 14 days": (r"L221-24", r"L221-24"),
    "mediator": (r"médiateur de la consommation.*L612-1", r"consumer mediator.*L612-1"),
    "arrhes": (r"L214-1", r"L214-1"),
}


def titles_and_text(kind, lang):
    title, body = default_terms(kind, lang)
    sections = _terms({"title": title, "body": body})["sections"]
    return [s["title"] for s in sections], " ".join(body.split())


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", ["business", "consumer"])
def test_each_default_text_covers_every_topic_with_its_own_section(kind, lang):
    titles, text = titles_and_text(kind, lang)
    index = 0 if lang == "fr" else 1
    heads = " | ".join(titles).lower()
    for topic, patterns in TOPICS.items():
        if topic in ("payment terms",):
            assert re.search(patterns[index], text, re.I | re.S), topic
            continue
        assert re.search(patterns[index], heads, re.I), (topic, titles)
    own, other = (BUSINESS_ONLY, CONSUMER_ONLY) if kind == "business" else (
        CONSUMER_ONLY, BUSINESS_ONLY)
    for topic, patterns in own.items():
        assert re.search(patterns[index], text, re.S), topic
    for topic, patterns in other.items():
        assert not re.search(patterns[index], text, re.S), f"{kind} text has {topic}"
    # Numbered sections, none empty.
    assert all(re.match(r"\d+\. ", t) for t in titles)
    assert len(titles) >= 12


@pytest.mark.parametrize("kind", ["business", "consumer"])
def test_french_and_english_texts_have_the_same_sections(kind):
    fr, _ = titles_and_text(kind, "fr")
    en, _ = titles_and_text(kind, "en")
    assert [t.split(".")[0] for t in fr] == [t.split(".")[0] for t in en]


def test_the_text_is_picked_by_the_client_type():
    assert "L441-10" in default_terms("business", "fr")[1]
    assert "L221-18" in default_terms("consumer", "fr")[1]
    assert default_terms("consumer", "en")[0] == "Terms of sale"
    assert default_terms("business", "xx")[0] == "Conditions générales de vente"


def test_consumer_texts_never_limit_liability_or_say_non_refundable():
    for lang in ("fr", "en"):
        text = default_terms("consumer", lang)[1].lower()
        assert "non remboursable" not in text and "non-refundable" not in text
        assert "plafonn" not in text and "capped" not in text
        # No recovery fees or fixed indemnity charged to a consumer (CPCE L111-8).
        assert "frais de recouvrement" not in text and "recovery" not in text
