"""A test stand-in for LibreOffice, for tests that check money and text, not layout.

The machine's two cores are shared: a LibreOffice conversion takes seconds under load, and a
payment flow issues a dozen documents. This backend (same interface as the real converters)
writes a small but real PDF, one text line per DOCX paragraph or table cell, that pypdf reads
back and pyHanko seals. The invoice PDF/A tests keep the real LibreOffice pool.
"""

import io

from docx import Document

from terms_kit.documents.converters import BaseConverter

PATH = "tests.text_pdf.TextPdfConverter"
LINES_PER_PAGE = 64
# WinAnsiEncoding: the euro sign is 0x80; the no-break spaces babel uses print as spaces.
_CHARS = {"\u20ac": b"\x80", "\u202f": b" ", "\u00a0": b" ", "\u2019": b"'", "\u2011": b"-"}


def _encode(text):
    out = bytearray()
    for char in text:
        if char in _CHARS:
            out += _CHARS[char]
            continue
        try:
            encoded = char.encode("latin-1")
        except UnicodeEncodeError:
            encoded = b"?"
        if encoded in (b"(", b")", b"\\"):
            encoded = b"\\" + encoded
        out += encoded
    return bytes(out)


def docx_lines(docx):
    document = Document(io.BytesIO(docx))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return [line for line in lines if line.strip()] or [" "]


def text_pdf(lines):
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                  b"/Encoding /WinAnsiEncoding >>"}
    kids = []
    for index, page in enumerate(pages):
        page_id, content_id = 4 + 2 * index, 5 + 2 * index
        kids.append(page_id)
        stream = b"BT /F1 9 Tf 40 800 Td 11 TL " + b"".join(
            b"(" + _encode(line) + b") Tj T* " for line in page) + b"ET"
        objects[content_id] = (b"<< /Length %d >>\nstream\n" % len(stream) + stream
                               + b"\nendstream")
        objects[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                            % content_id)
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + (
        b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


class TextPdfConverter(BaseConverter):
    name = "text-pdf (tests only)"

    def __init__(self, **options):
        super().__init__()

    def problems(self):
        return []

    def convert(self, docx, pdf_version=2):
        return text_pdf(docx_lines(docx))
