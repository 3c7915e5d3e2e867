"""The Gotenberg backend against a FAKE Gotenberg on 127.0.0.1 (the real one is not reachable
here): it checks the request the backend sends and answers with a real PDF made locally."""

import email.parser
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from terms_kit.documents import generation
from terms_kit.documents.converters.base import ConversionError
from terms_kit.documents.converters.cold import ColdSofficeConverter
from terms_kit.documents.converters.gotenberg import GotenbergConverter


@pytest.fixture
def fake_gotenberg():
    received = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            message = email.parser.BytesParser().parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
            )
            parts = {part.get_param("name", header="content-disposition"): part
                     for part in message.get_payload()}
            received.update(path=self.path, parts=parts)
            if "files" not in parts:
                self.send_response(400)
                self.end_headers()
                self.wfile.write(b"no file")
                return
            pdf = ColdSofficeConverter().convert(parts["files"].get_payload(decode=True))
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            self.wfile.write(pdf)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_gotenberg_backend_with_a_fake_server_asks_for_pdfa_2b(fake_gotenberg, spec):
    url, received = fake_gotenberg
    docx = generation.render(spec("S1"), "certificate").docx
    pdf = GotenbergConverter(url=url).convert(docx)
    assert pdf.startswith(b"%PDF-")
    assert received["path"] == "/forms/libreoffice/convert"
    assert received["parts"]["pdfa"].get_payload() == "PDF/A-2b"
    assert received["parts"]["files"].get_payload(decode=True) == docx


def test_gotenberg_unreachable_is_a_clear_error():
    with pytest.raises(ConversionError, match="cannot be reached"):
        GotenbergConverter(url="http://127.0.0.1:9", timeout=2).convert(b"PK")
    assert GotenbergConverter().problems()  # no URL configured: reported by the system check
