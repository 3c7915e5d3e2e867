"""PDF converter backends: DOCX bytes in, PDF/A bytes out, always by LibreOffice.

PDF/A-2b by default; PDF/A-3b for invoices (``pdf_version=PDFA3``), the only PDF/A part
that may carry the Factur-X XML as an attachment (terms_kit/einvoicing/).

A backend is a class loaded by dotted path (TERMS_KIT["PDF_CONVERTER"]) and built with
TERMS_KIT["PDF_CONVERTER_OPTIONS"] as keyword arguments. One instance is kept per process so
a pool of warm converters survives between documents.
"""

import shutil
import threading

from django.utils.module_loading import import_string

from ...conf import app_settings
from ...exceptions import TermsKitError

# writer_pdf_Export FilterData: SelectPdfVersion 2 = PDF/A-2b, 3 = PDF/A-3b (fonts are then
# always embedded).
PDFA_VERSION = 2
PDFA3 = 3
PDFA_VERSIONS = (PDFA_VERSION, PDFA3)


class ConversionError(TermsKitError):
    """LibreOffice could not turn a DOCX into a PDF."""


class ConverterUnavailable(ConversionError):
    """No converter can run here (no soffice binary, no uno module, no Gotenberg URL...)."""


class BaseConverter:
    name = "base"

    def __init__(self, soffice=None, timeout=60):
        self.soffice_setting = soffice or "soffice"
        self.soffice = shutil.which(self.soffice_setting)
        self.timeout = timeout

    def convert(self, docx, pdf_version=PDFA_VERSION):
        """Return the PDF/A bytes of ``docx`` (bytes), PDF/A-2b or PDF/A-3b
        (``pdf_version`` 2 or 3), or raise ConversionError."""
        raise NotImplementedError

    def problems(self):
        """Reasons this backend cannot work on this machine, for the system check."""
        if not self.soffice:
            return [
                f"LibreOffice ({self.soffice_setting!r}) was not found or is not executable: "
                "install libreoffice-writer-nogui (and fonts-dejavu), or set "
                "TERMS_KIT['PDF_CONVERTER_OPTIONS']['soffice'] to its path."
            ]
        return []

    def health(self):
        """Reasons this converter cannot convert right now, for the readiness probe (/readyz).

        Called on every probe, so backends keep it cheap; by default the same as problems().
        """
        return self.problems()

    def require(self):
        problems = self.problems()
        if problems:
            raise ConverterUnavailable(" ".join(problems))

    @staticmethod
    def check_version(pdf_version):
        if pdf_version not in PDFA_VERSIONS:
            raise ConversionError(f"PDF/A version {pdf_version!r} is not supported; use 2 "
                                  "(PDF/A-2b) or 3 (PDF/A-3b).")
        return pdf_version

    def close(self):
        """Stop whatever the backend keeps running."""


_lock = threading.Lock()
_instance = {"key": None, "converter": None}


def get_converter():
    """The process-wide converter of the current settings."""
    path = app_settings.PDF_CONVERTER
    options = dict(app_settings.PDF_CONVERTER_OPTIONS or {})
    key = (path, repr(sorted(options.items())))
    with _lock:
        if _instance["key"] != key:
            if _instance["converter"] is not None:
                _instance["converter"].close()
            try:
                backend = import_string(path)
            except ImportError as exc:
                raise ConverterUnavailable(
                    f"TERMS_KIT['PDF_CONVERTER'] = {path!r} cannot be imported: {exc}"
                ) from exc
            _instance.update(key=key, converter=backend(**options))
        return _instance["converter"]
