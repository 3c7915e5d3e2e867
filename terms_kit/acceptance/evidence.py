"""The consent chain: how a record's hash is made, and checking the chain and stored files.

Read-only helpers; appending a record happens in services/acceptance.py under a row lock.
"""

import hashlib
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
CHAIN_NAME = "consents"


def record_hash(previous_hash, payload_text):
    """SHA-256 of the previous record's hash and this record's canonical JSON, joined by LF."""
    return hashlib.sha256(f"{previous_hash}\n{payload_text}".encode()).hexdigest()


def file_sha256(field):
    digest = hashlib.sha256()
    with field.storage.open(field.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Problem:
    what: str  # "record" or "file"
    ref: str
    reason: str

    def __str__(self):
        return f"{self.what} {self.ref}: {self.reason}"


def check_chain():
    """Every broken link of the consent chain, in chain order (empty when intact)."""
    from ..models import ChainHead, ConsentRecord

    problems = []
    previous = GENESIS_HASH
    expected_sequence = 1
    last = None
    for record in ConsentRecord.objects.order_by("sequence").iterator():
        ref = f"#{record.sequence} (id {record.pk}, engagement {record.engagement_id})"
        if record.sequence != expected_sequence:
            problems.append(Problem("record", ref, f"expected position {expected_sequence}: "
                                                   "a record is missing"))
        if record.previous_hash != previous:
            problems.append(Problem("record", ref, "does not point to the previous record"))
        if record_hash(record.previous_hash, record.payload) != record.record_hash:
            problems.append(Problem("record", ref, "content altered: its hash does not match"))
        previous = record.record_hash
        expected_sequence = record.sequence + 1
        last = record
    head = ChainHead.objects.filter(name=CHAIN_NAME).first()
    end = (last.sequence, last.record_hash) if last else (0, GENESIS_HASH)
    if head is not None and (head.last_sequence, head.last_hash) != end:
        problems.append(Problem("record", f"#{head.last_sequence}",
                                "the chain's last record is missing or was replaced"))
    return problems


def check_files():
    """Every stored document or sealed file whose content no longer matches its SHA-256."""
    from ..models import IssuedDocument, SealedFile

    problems = []
    seen = set()
    items = []
    for document in IssuedDocument.objects.order_by("pk").iterator():
        items.append((f"document {document.pk} ({document.kind} DOCX)", document.docx,
                      document.docx_sha256))
        items.append((f"document {document.pk} ({document.kind} PDF)", document.pdf,
                      document.pdf_sha256))
    for sealed in SealedFile.objects.order_by("pk").iterator():
        items.append((f"sealed file {sealed.pk}", sealed.pdf, sealed.pdf_sha256))
    for ref, field, expected in items:
        if (field.name, expected) in seen:
            continue  # content-addressed: identical files are stored once
        seen.add((field.name, expected))
        try:
            actual = file_sha256(field)
        except OSError:
            problems.append(Problem("file", ref, f"{field.name} is missing"))
            continue
        if actual != expected:
            problems.append(Problem("file", ref, f"{field.name} altered (SHA-256 {actual})"))
    return problems
