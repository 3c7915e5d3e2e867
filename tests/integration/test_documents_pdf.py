"""Real LibreOffice conversions: PDF/A-2b, embedded fonts, the scenario mentions in the PDF."""

import pytest
from documents_helpers import flat, fonts_without_embedding, pdf_text, pdfa_identification

from terms_kit.documents import generation
from terms_kit.documents.converters.base import ConversionError
from terms_kit.documents.converters.cold import ColdSofficeConverter
from terms_kit.documents.converters.pool import LibreOfficePool


@pytest.fixture(scope="module")
def pool():
    converter = LibreOfficePool(size=1, fallback=False)  # no cold fallback: the pool must work
    yield converter
    converter.close()


def to_pdf(pool, spec, kind, lang=None):
    return pool.convert(generation.render(spec, kind, lang).docx)


def test_pool_pdf_declares_pdfa_2b_and_embeds_its_fonts(pool, spec):
    pdf = to_pdf(pool, spec("S2"), "quote")
    assert pdf.startswith(b"%PDF-")
    assert pdfa_identification(pdf) == ("2", "B")
    assert fonts_without_embedding(pdf) == []


def test_cold_soffice_pdf_is_pdfa_2b_too(spec):
    pdf = ColdSofficeConverter().convert(generation.render(spec("S1"), "certificate").docx)
    assert pdfa_identification(pdf) == ("2", "B")
    assert fonts_without_embedding(pdf) == []
    assert "Certificat d'acceptation" in pdf_text(pdf)


def test_s1_pdfs_franchise_mention_withdrawal_form_and_no_indemnity(pool, spec):
    for kind in ("quote", "terms"):
        text = flat(pdf_text(to_pdf(pool, spec("S1"), kind)))
        assert "TVA non applicable, art. 293 B du CGI" in text
        assert "Modèle de formulaire de rétractation" in text
        assert "40,00" not in text and "Total TTC" not in text


def test_s2_pdf_figures(pool, spec):
    text = flat(pdf_text(to_pdf(pool, spec("S2"), "quote")))
    for figure in ("Total HT : 12 000,00 €", "Total TTC : 14 400,00 €", "4 320,00 €",
                   "4 800,00 €", "7 200,00 €", "12,15 %", "40,00 €",
                   "Escompte de 2 % pour paiement sous 10 jours"):
        assert figure in text, figure
    final = flat(pdf_text(to_pdf(pool, spec("S2"), "final_invoice", "en")))
    assert "Balance due: €10,080.00" in final


def test_hostile_text_is_literal_in_the_pdf(pool, spec):
    data = spec("S1")
    data["engagement"]["service_description"] = "{{ 7*7 }} {% if %} <w:t> & R&D"
    text = flat(pdf_text(to_pdf(pool, data, "quote")))
    assert "{{ 7*7 }} {% if %} <w:t> & R&D" in text


def test_a_worker_that_misses_its_timeout_is_replaced(spec):
    docx = generation.render(spec("S2"), "terms").docx
    pool = LibreOfficePool(size=1, timeout=0.01, fallback=False)
    try:
        with pytest.raises(ConversionError, match="no answer within"):
            pool.convert(docx)
        assert pool._started == 0  # the late worker was killed, not handed out again
        pool.timeout = 60
        assert pool.convert(docx).startswith(b"%PDF-")
    finally:
        pool.close()


def test_missing_soffice_is_a_clear_error_not_a_docx_only_result():
    converter = ColdSofficeConverter(soffice="/nonexistent/soffice")
    with pytest.raises(ConversionError, match="libreoffice-writer-nogui"):
        converter.convert(b"PK")
