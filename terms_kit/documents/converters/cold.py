"""One ``soffice --convert-to pdf`` process per document: slow (~1.6 s) but needs nothing running.

Each call gets its own profile directory (-env:UserInstallation): two soffice processes on one
profile make one of them fail.
"""

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from .base import PDFA_VERSION, BaseConverter, ConversionError


def export_filter(pdf_version=PDFA_VERSION):
    return "pdf:writer_pdf_Export:" + json.dumps(
        {"SelectPdfVersion": {"type": "long", "value": str(pdf_version)}}
    )


FILTER = export_filter()


class ColdSofficeConverter(BaseConverter):
    name = "cold-soffice"

    def convert(self, docx, pdf_version=PDFA_VERSION):
        self.check_version(pdf_version)
        self.require()
        with tempfile.TemporaryDirectory(prefix="terms-kit-soffice-") as tmp:
            folder = Path(tmp)
            source = folder / "document.docx"
            source.write_bytes(docx)
            command = [
                self.soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                "--convert-to", export_filter(pdf_version), "--outdir", str(folder), str(source),
            ]
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                output, _ = process.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise ConversionError(
                    f"soffice did not convert the document within {self.timeout} s."
                ) from None
            result = folder / "document.pdf"
            if process.returncode != 0 or not result.is_file():
                message = output.decode("utf-8", "replace").strip()[-500:]
                raise ConversionError(f"soffice failed (exit {process.returncode}): {message}")
            return result.read_bytes()
