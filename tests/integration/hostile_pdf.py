"""A hostile upload for /terms/verify/: a PDF signed with someone else's key under the seal's
field name, followed by thousands of appended revisions (each a tiny incremental update).
Validating such a file takes pyHanko minutes (bench/verify_hostile.py prints figures)."""

import io
import re

import pypdf


def blank_pdf():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(300, 300)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def foreign_sealed_pdf(directory):
    """A blank PDF signed under our seal's field name by a key that is not ours."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from terms_kit.documents import sealing

    cert, key = sealing.make_self_signed(directory, "someone else")
    signer = signers.SimpleSigner.load(str(key), str(cert))
    meta = signers.PdfSignatureMetadata(field_name=sealing.FIELD_NAME, md_algorithm="sha256")
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(blank_pdf()), strict=False)
    sealing._outside_event_loop(
        lambda: signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out))
    return out.getvalue()


def append_revisions(data, count):
    """``data`` plus ``count`` valid incremental updates (classic xref sections)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer.raw_get("/Root").idnum
    size = int(reader.trailer["/Size"])
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    out = bytearray(data)
    for index in range(count):
        number, size = size, size + 1
        object_offset = len(out)
        out += f"{number} 0 obj\n<< /Note ({index}) >>\nendobj\n".encode()
        xref_offset = len(out)
        out += (f"xref\n{number} 1\n{object_offset:010d} 00000 n \ntrailer\n"
                f"<< /Size {size} /Root {root} 0 R /Prev {previous} >>\n"
                f"startxref\n{xref_offset}\n%%EOF\n").encode()
        previous = xref_offset
    return bytes(out)


def hostile_pdf(directory, revisions=3000):
    return append_revisions(foreign_sealed_pdf(directory), revisions)
