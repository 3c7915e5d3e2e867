"""A revised quote says, on the document itself, which quote it replaces: the number and
date of the old one, in the document's language, in the DOCX and in the PDF (real
LibreOffice). An ordinary quote says nothing of the kind."""

import pytest
from documents_helpers import docx_text, flat, pdf_text

from terms_kit.documents.converters.pool import LibreOfficePool
from terms_kit.services.documents import issue_document
from terms_kit.services.revisions import revise

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pool():
    converter = LibreOfficePool(size=1, fallback=False)
    yield converter
    converter.close()


def read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "Ce devis remplace le devis n° {number} du {date}, qui n'est plus valable."),
    ("en", "This quote replaces quote no. {number} of {date}, which is no longer valid."),
])
def test_a_revised_quote_names_the_quote_it_replaces(sent, pool, lang, sentence):
    old, _link = sent("S2")
    revision = revise(old, old.owner)
    expected = sentence.format(number=old.number, date=old.issue_date.strftime("%d/%m/%Y"))

    document = issue_document(revision, "quote", lang, converter=pool)
    assert expected in docx_text(read(document.docx))
    assert flat(expected) in flat(pdf_text(read(document.pdf)))
    assert document.snapshot["extras"]["replaces"]["number"] == old.number

    plain = issue_document(old, "quote", lang, converter=pool)
    assert "remplace le devis" not in docx_text(read(plain.docx))
    assert "replaces quote" not in docx_text(read(plain.docx))
