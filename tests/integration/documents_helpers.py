"""Reading generated documents back the way a person would: python-docx and pypdf."""

import io
import re

import docx
import pypdf

NNBSP = "\u202f"  # French thousands separator (babel)
NBSP = "\u00a0"


def docx_text(data):
    """All the text of a DOCX: paragraphs, then table cells, one line each."""
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def eur_fr(text):
    """French figures as babel writes them: '12 000,00 €' and '20 %' with their fixed spaces."""
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", NNBSP, text)
    return re.sub(r"(?<=\d) (?=[€%])", NBSP, text)


def flat(text):
    """Text with every kind of space as a plain space, for PDF extraction comparisons."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def pdfa_identification(data):
    """(part, conformance) from the PDF's XMP metadata, e.g. ("2", "B")."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    part = re.search(r"<pdfaid:part>(\d)</pdfaid:part>", xmp)
    conformance = re.search(r"<pdfaid:conformance>([A-Z])</pdfaid:conformance>", xmp)
    return (part and part.group(1), conformance and conformance.group(1))


def fonts_without_embedding(data):
    """Names of the fonts used by the PDF that carry no font file (should be none)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    missing, seen = [], 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            seen += 1
            descriptor_holder = font
            if font.get("/Subtype") == "/Type0":
                descriptor_holder = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor_holder.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    assert seen, "the PDF uses no font at all"
    return missing
