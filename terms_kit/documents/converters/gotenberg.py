"""Conversion by a Gotenberg service (its LibreOffice route), for deployments that scale out.

    TERMS_KIT = {"PDF_CONVERTER": "terms_kit.documents.converters.gotenberg.GotenbergConverter",
                 "PDF_CONVERTER_OPTIONS": {"url": "http://gotenberg:3000"}}

Gotenberg runs LibreOffice too, so the PDF comes from the same DOCX layout; it is asked for
PDF/A-2b (PDF/A-3b for invoices). Only the standard library is used (no HTTP client dependency).
"""

import urllib.error
import urllib.request
import uuid

from .base import PDFA3, PDFA_VERSION, BaseConverter, ConversionError

ROUTE = "/forms/libreoffice/convert"


def _multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = bytearray()
    for name, value in fields.items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    for name, (filename, content) in files.items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: application/vnd.openxmlformats-"
                 "officedocument.wordprocessingml.document\r\n\r\n").encode()
        body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


class GotenbergConverter(BaseConverter):
    name = "gotenberg"

    def __init__(self, url=None, timeout=60, **unused):
        super().__init__(timeout=timeout)
        self.url = (url or "").rstrip("/")

    def problems(self):
        if not self.url:
            return ["TERMS_KIT['PDF_CONVERTER_OPTIONS']['url'] must be the Gotenberg base URL, "
                    "e.g. 'http://gotenberg:3000'."]
        return []

    def health(self):
        """Gotenberg's own health route answers 200 when its LibreOffice module is up."""
        problems = self.problems()
        if problems:
            return problems
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                if response.status == 200:
                    return []
                return [f"Gotenberg's health route answered {response.status}."]
        except urllib.error.HTTPError as exc:
            return [f"Gotenberg's health route answered {exc.code}."]
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return [f"Gotenberg cannot be reached: {exc}"]

    def convert(self, docx, pdf_version=PDFA_VERSION):
        self.check_version(pdf_version)
        self.require()
        body, content_type = _multipart(
            {"pdfa": "PDF/A-3b" if pdf_version == PDFA3 else "PDF/A-2b"},
            {"files": ("document.docx", docx)},
        )
        request = urllib.request.Request(
            self.url + ROUTE, data=body, method="POST", headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                pdf = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise ConversionError(f"Gotenberg answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise ConversionError(f"Gotenberg at {self.url} cannot be reached: {exc}") from exc
        if not pdf.startswith(b"%PDF-"):
            raise ConversionError("Gotenberg's answer is not a PDF.")
        return pdf
