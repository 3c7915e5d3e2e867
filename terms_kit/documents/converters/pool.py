"""A pool of warm LibreOffice converters: one per core, each with its own profile.

A warm converter answers in ~0.4 s where a cold soffice takes ~1.6 s. One LibreOffice converts
one document at a time, so the pool holds one worker per core and hands each conversion to an
idle one. A worker is recycled after ``max_documents`` conversions (LibreOffice grows), killed
and replaced when it misses ``timeout`` or fails a health check (a ping when it was idle for
``ping_after`` seconds). When no warm worker can be had, the conversion falls back to a cold
soffice (``fallback=True``), so a broken pool slows documents down but never loses them.

The worker runs under a Python that has LibreOffice's ``uno`` module (Debian: python3-uno for
``/usr/bin/python3``), see uno_worker.py; set ``python`` in the options otherwise.
"""

import atexit
import json
import logging
import os
import queue
import select
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .base import PDFA_VERSION, BaseConverter, ConversionError
from .cold import ColdSofficeConverter

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")


class _Worker:
    def __init__(self, python, soffice, startup_timeout):
        self.folder = Path(tempfile.mkdtemp(prefix="terms-kit-lo-"))
        self.documents = 0
        self.last_used = time.monotonic()
        self.process = subprocess.Popen(
            [python, str(WORKER_SCRIPT), soffice, (self.folder / "profile").as_uri(),
             f"terms-kit-{uuid.uuid4().hex}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killing it takes soffice along
        )
        self._read(startup_timeout)

    def _read(self, timeout):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise ConversionError(f"LibreOffice worker gave no answer within {timeout} s.")
        line = self.process.stdout.readline()
        if not line:
            raise ConversionError("LibreOffice worker stopped.")
        return json.loads(line)

    def ask(self, request, timeout):
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        reply = self._read(timeout)
        self.last_used = time.monotonic()
        if not reply.get("ok"):
            raise ConversionError(f"LibreOffice could not convert: {reply.get('error')}")
        return reply

    def convert(self, docx, timeout, pdf_version=PDFA_VERSION):
        source, target = self.folder / "document.docx", self.folder / "document.pdf"
        source.write_bytes(docx)
        target.unlink(missing_ok=True)
        self.ask({"cmd": "convert", "src": str(source), "dst": str(target),
                  "pdfa": pdf_version}, timeout)
        self.documents += 1
        return target.read_bytes()

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        subprocess.run(["rm", "-rf", str(self.folder)], check=False)


class LibreOfficePool(BaseConverter):
    name = "libreoffice-pool"

    def __init__(self, size=None, max_documents=200, timeout=60, startup_timeout=60,
                 ping_after=30, python="/usr/bin/python3", soffice=None, fallback=True):
        super().__init__(soffice=soffice, timeout=timeout)
        self.size = size or os.cpu_count() or 1
        self.max_documents = max_documents
        self.startup_timeout = startup_timeout
        self.ping_after = ping_after
        self.python = python
        self.fallback = ColdSofficeConverter(soffice=soffice, timeout=timeout) if fallback else None
        self._idle = queue.LifoQueue()
        self._started = 0
        self._lock = threading.Lock()
        atexit.register(self.close)

    def problems(self):
        problems = super().problems()
        if not problems:
            check = subprocess.run([self.python, "-c", "import uno"], capture_output=True)
            if check.returncode != 0:
                problems.append(
                    f"{self.python} cannot import uno: install python3-uno, or set "
                    "TERMS_KIT['PDF_CONVERTER_OPTIONS']['python'] to a Python that has it."
                )
        return problems

    def health(self):
        # problems() starts a Python to import uno: once it passed, the binaries stay put for
        # the life of the process, so the readiness probe does not spawn one every time.
        if getattr(self, "_healthy", False):
            return []
        problems = self.problems()
        self._healthy = not problems
        return problems

    def start(self):
        """Start every worker now (e.g. when the task worker starts) instead of on first use."""
        workers = [self._take() for _ in range(self.size)]
        for worker in workers:
            self._give_back(worker)

    def _take(self):
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                with self._lock:
                    can_start = self._started < self.size
                    if can_start:
                        self._started += 1
                if not can_start:
                    worker = self._idle.get()  # wait for a busy worker to come back
                else:
                    try:
                        return _Worker(self.python, self.soffice, self.startup_timeout)
                    except Exception:
                        with self._lock:
                            self._started -= 1
                        raise
            if time.monotonic() - worker.last_used > self.ping_after:
                try:
                    worker.ask({"cmd": "ping"}, timeout=5)
                except Exception:
                    logger.warning("LibreOffice worker failed its health check; replacing it.")
                    self._retire(worker)
                    continue
            return worker

    def _give_back(self, worker):
        if worker.documents >= self.max_documents:
            self._retire(worker)
        else:
            self._idle.put(worker)

    def _retire(self, worker):
        worker.stop()
        with self._lock:
            self._started -= 1

    def convert(self, docx, pdf_version=PDFA_VERSION):
        self.check_version(pdf_version)
        self.require()
        try:
            worker = self._take()
        except Exception as exc:
            return self._fall_back(docx, f"no warm LibreOffice worker could start ({exc})",
                                   pdf_version)
        try:
            pdf = worker.convert(docx, self.timeout, pdf_version)
        except Exception as exc:
            self._retire(worker)
            return self._fall_back(docx, f"the warm worker failed ({exc})", pdf_version)
        self._give_back(worker)
        return pdf

    def _fall_back(self, docx, reason, pdf_version=PDFA_VERSION):
        if self.fallback is None:
            raise ConversionError(f"PDF conversion failed: {reason}.")
        logger.warning("PDF conversion by cold soffice: %s.", reason)
        return self.fallback.convert(docx, pdf_version)

    def close(self):
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._retire(worker)
