"""An invoice document as a Factur-X file: the rendered DOCX made PDF/A-3, its CII XML built
from the same snapshot, checked, and embedded. Called by services/documents.py."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..conf import app_settings
from ..documents import generation
from ..documents.converters.base import PDFA3
from .cii import build_cii
from .pdf import PROFILE, EInvoiceError, embed
from .validation import validate_xml

VALIDATION_LEVELS = ("full", "en16931", "xsd")


class EInvoiceInvalid(EInvoiceError):
    """The XML built for an invoice breaks an EN 16931 / Factur-X / BR-FR rule: the invoice's
    document is not made (the task fails and says which rules), never issued non-compliant."""

    def __init__(self, number, report):
        self.report = report
        rules = "; ".join(f"{item.rule} ({item.check}): {item.message[:200]}"
                          for item in report.failures[:5])
        super().__init__(f"The Factur-X XML of invoice {number} is not valid: {rules}")


@dataclass
class Made:
    pdf: bytes
    xml: bytes
    timings: dict = field(default_factory=dict)  # seconds: convert, build, validate, embed


def make_facturx(rendered, converter=None, validate=None):
    """The Factur-X PDF/A-3 of a rendered invoice (documents.generation.Rendered).

    ``validate``: which rules run before the file is made (TERMS_KIT["EINVOICE_VALIDATION"]
    by default): "full" (XSD + EN 16931 + BR-FR schematrons), "en16931" (XSD + EN 16931),
    "xsd" (the XSD only, which factur-x checks in any case when embedding)."""
    validate = validate or app_settings.EINVOICE_VALIDATION
    if validate not in VALIDATION_LEVELS:
        raise EInvoiceError(f"TERMS_KIT['EINVOICE_VALIDATION'] = {validate!r} is not one of "
                            f"{', '.join(map(repr, VALIDATION_LEVELS))}.")
    timings = {}
    start = time.perf_counter()
    xml = build_cii(rendered.snapshot, rendered.language)
    timings["build"] = time.perf_counter() - start
    checking = None
    if validate in ("full", "en16931"):
        # The rules run (Saxon, in this process) while LibreOffice converts (its own
        # process): on two cores the check costs little wall time.
        checking = _executor().submit(_timed, validate_xml, xml, level=PROFILE,
                                      french_rules=validate == "full")
    start = time.perf_counter()
    try:
        pdf = generation.to_pdf(rendered.docx, converter, pdf_version=PDFA3)
    finally:
        timings["convert"] = time.perf_counter() - start
        if checking is not None:
            timings["validate"], report = checking.result()
    if checking is not None and not report.valid:
        raise EInvoiceInvalid(rendered.snapshot["extras"]["invoice"]["number"], report)
    start = time.perf_counter()
    # factur-x checks the XSD again unless the rules above already did.
    result = embed(pdf, xml, rendered.language, check_xsd=checking is None)
    timings["embed"] = time.perf_counter() - start
    return Made(result, xml, timings)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


_pool = {}


def _executor():
    if "executor" not in _pool:
        _pool["executor"] = ThreadPoolExecutor(max_workers=1,
                                               thread_name_prefix="terms-kit-einvoice")
    return _pool["executor"]
