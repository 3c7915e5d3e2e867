"""Engagements accepted through the real acceptance service, and reading issued invoices."""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from terms_kit.services import acceptance


def accept(sent, key="S2", change=None, capture=None):
    """Scenario ``key`` sent, its e-mail verified with the mailed code and accepted with every
    consent ticked: what a client does, through the services. Returns the fresh engagement."""
    engagement, sent_link = sent(key, change=change)
    link = sent_link.link
    with capture(execute=True):
        acceptance.send_email_code(link)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    proof = acceptance.verify_email_code(link, code)  # kept by the client's browser session
    ticked = {consent.key: True for consent in acceptance.consents_for(link)}
    with capture(execute=True):
        acceptance.accept(link, ticked=ticked, full_name="Marie Durand",
                          signer_role="Directrice générale",
                          ip_address="127.0.0.1", user_agent="pytest", token=sent_link.token,
                          session_proof=proof)
    engagement.refresh_from_db()
    return engagement, sent_link


@pytest.fixture
def accepted(sent, django_capture_on_commit_callbacks):
    def make(key="S2", change=None):
        return accept(sent, key, change, django_capture_on_commit_callbacks)
    return make


def number(prefix, sequence, issued_on):
    """A number as the numbering service writes it (F-2026-0001): its year is the issue
    date's, so a test keeps passing in any year."""
    return f"{prefix}-{issued_on.year}-{sequence:04d}"


def pdf_text(invoice):
    document = invoice.document
    with document.pdf.storage.open(document.pdf.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(invoice):
    from docx import Document

    document = invoice.document
    with document.docx.storage.open(document.docx.name, "rb") as handle:
        doc = Document(io.BytesIO(handle.read()))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def text_pdfs(settings):
    """Documents as text PDFs (tests/text_pdf.py) instead of LibreOffice: for money tests."""
    from tests.text_pdf import PATH

    settings.TERMS_KIT = {**settings.TERMS_KIT, "PDF_CONVERTER": PATH,
                          "PDF_CONVERTER_OPTIONS": {}}
    return settings
