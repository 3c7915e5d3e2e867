"""Factur-X PDF files: the CII XML embedded into a PDF/A-3 invoice, and read back.

The ``factur-x`` package (pinned) writes the attachment (``factur-x.xml``, relationship
"Data"), the XMP metadata of the Factur-X extension schema and the PDF/A-3 identification;
the PDF given to it must already be PDF/A-3 (LibreOffice exports it: converters,
``pdf_version=PDFA3``).
"""

import logging

from ..exceptions import TermsKitError

PROFILE = "en16931"


class EInvoiceError(TermsKitError):
    """A Factur-X file could not be made or read (the message says why)."""


def embed(pdf, xml, lang="fr", check_xsd=True):
    """The Factur-X PDF/A-3 bytes of ``pdf`` (PDF/A-3 bytes) carrying ``xml`` (CII bytes)."""
    import facturx

    try:
        return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level=PROFILE,
                                            check_xsd=check_xsd, lang=lang)
    except Exception as exc:
        raise EInvoiceError(f"The Factur-X XML could not be embedded: {exc}") from exc


def extract(pdf):
    """(filename, xml bytes) of the invoice XML embedded in a PDF (ours or another tool's:
    factur-x.xml, zugferd-invoice.xml, xrechnung.xml...); EInvoiceError when there is none."""
    import facturx

    # factur-x logs at WARNING what it skips; the caller reports it instead.
    logging.getLogger("facturx").setLevel(logging.ERROR)
    try:
        filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    except Exception as exc:
        raise EInvoiceError(f"This file cannot be read as a PDF: {exc}") from exc
    if not xml:
        raise EInvoiceError("This PDF carries no Factur-X / ZUGFeRD XML attachment.")
    return filename, xml
