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
