"""The consent chain: how a record's hash is made, and checking the chain and stored files.

Read-only helpers; appending a record happens in services/acceptance.py under a row lock.

Hash formats (``ConsentRecord.hash_version``):

1. (records made before migration 0006) SHA-256(previous_hash + LF + payload). The other
   columns are not in the hash: ``check_record`` compares them with what the payload says
   (kind, engagement id, time of the step), so an edited date or kind is still reported.
2. SHA-256 of the canonical JSON of every stored column but the surrogate ``id``: sequence,
   kind, engagement id, created_at (UTC, microseconds), previous hash, payload text and the
   format number itself. The id is covered another way: each sealed file names its record's
   hash in the seal, so pointing a sealed file at another row is reported.
"""

import datetime
import hashlib
import io
import json
import re
from dataclasses import dataclass

from ..documents.hashing import canonical_json

GENESIS_HASH = "0" * 64
CHAIN_NAME = "consents"
CURRENT_HASH_VERSION = 2
# How the seal's reason names the record (services/acceptance.py writes it).
SEAL_REASON_RECORD = re.compile(r"consent record #(\d+) SHA-256 ([0-9a-f]{64})")


def record_hash(previous_hash, payload_text):
    """Format 1: SHA-256 of the previous record's hash and the canonical JSON, joined by LF."""
    return hashlib.sha256(f"{previous_hash}\n{payload_text}".encode()).hexdigest()


def _utc(value):
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def record_hash_v2(*, sequence, kind, engagement_id, created_at, previous_hash, payload):
    """Format 2: every stored column, canonical JSON, SHA-256."""
    columns = {
        "hash_version": 2,
        "sequence": int(sequence),
        "kind": str(kind),
        "engagement_id": int(engagement_id),
        "created_at": _utc(created_at),
        "previous_hash": previous_hash,
        "payload": payload,
    }
    return hashlib.sha256(canonical_json(columns).encode("utf-8")).hexdigest()


def compute_hash(record):
    """The hash ``record`` should carry, given its format."""
    if record.hash_version == 1:
        return record_hash(record.previous_hash, record.payload)
    return record_hash_v2(
        sequence=record.sequence, kind=record.kind, engagement_id=record.engagement_id,
        created_at=record.created_at, previous_hash=record.previous_hash,
        payload=record.payload)


def seal_reason(record, summary):
    """The seal's reason for a record's PDF: readable, and it names the record's hash."""
    return f"{summary}; consent record #{record.sequence} SHA-256 {record.record_hash}"


def file_sha256(field):
    digest = hashlib.sha256()
    with field.storage.open(field.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_field(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def read_stored(name):
    """The bytes of a file of terms-kit's private storage (checkpoints)."""
    from ..storage import private_storage

    with private_storage.open(name, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class Problem:
    what: str  # "record", "file" or "checkpoint"
    ref: str
    reason: str

    def __str__(self):
        return f"{self.what} {self.ref}: {self.reason}"


def record_ref(record):
    return f"#{record.sequence} (id {record.pk}, engagement {record.engagement_id})"


def _payload_time(payload, kind):
    if kind == "withdrawal" and payload.get("method") == "letter":  # recorded by the expert
        return (payload.get("letter") or {}).get("recorded_at")
    if kind == "withdrawal":
        return payload.get("received_at")
    if payload.get("method") == "paper":  # signed on paper: the time the scan was recorded
        return (payload.get("paper") or {}).get("recorded_at")
    return (payload.get("steps") or {}).get("signed_at")


def check_record(record):
    """What is wrong with one record on its own (empty when intact): hash and columns."""
    reasons = []
    if record.hash_version not in (1, 2):
        reasons.append(f"unknown hash format {record.hash_version}")
        return reasons
    if compute_hash(record) != record.record_hash:
        reasons.append("content altered: its hash does not match its columns")
    try:
        payload = json.loads(record.payload)
    except ValueError:
        reasons.append("evidence is not readable JSON")
        return reasons
    # The payload repeats the kind, the engagement and the time: a column that disagrees
    # was edited (this is what catches it in format-1 records, whose hash skips columns).
    if payload.get("kind") != record.kind:
        reasons.append(f"kind {record.kind!r} differs from the evidence ({payload.get('kind')!r})")
    if (payload.get("engagement") or {}).get("id") != record.engagement_id:
        reasons.append("engagement differs from the evidence")
    stated = _payload_time(payload, record.kind)
    try:
        same_time = stated and datetime.datetime.fromisoformat(stated) == record.created_at
    except (TypeError, ValueError):
        same_time = False
    if not same_time:
        reasons.append(f"recorded time {_utc(record.created_at)} differs from the evidence "
                       f"({stated})")
    return reasons


def _walk(records, previous, expected_sequence, newest_format):
    """Problems of ``records`` (in sequence order) following a record whose hash is
    ``previous``; returns (problems, last record walked or None)."""
    problems = []
    last = None
    for record in records:
        ref = record_ref(record)
        if record.sequence != expected_sequence:
            problems.append(Problem("record", ref, f"expected position {expected_sequence}: "
                                                   "a record is missing"))
        if record.previous_hash != previous:
            problems.append(Problem("record", ref, "does not point to the previous record"))
        if record.hash_version < newest_format:
            # Format 1 only comes before format 2: a later one was downgraded to skip columns.
            problems.append(Problem("record", ref, "hash format downgraded after a newer record"))
        newest_format = max(newest_format, record.hash_version)
        for reason in check_record(record):
            problems.append(Problem("record", ref, reason))
        previous = record.record_hash
        expected_sequence = record.sequence + 1
        last = record
    return problems, last


def check_chain():
    """Every broken link or altered record of the consent chain, in order (empty when intact)."""
    from ..models import ChainHead, ConsentRecord

    problems, last = _walk(ConsentRecord.objects.order_by("sequence").iterator(),
                           GENESIS_HASH, 1, 1)
    head = ChainHead.objects.filter(name=CHAIN_NAME).first()
    end = (last.sequence, last.record_hash) if last else (0, GENESIS_HASH)
    if head is not None and (head.last_sequence, head.last_hash) != end:
        problems.append(Problem("record", f"#{head.last_sequence}",
                                "the chain's last record is missing or was replaced"))
    return problems


def check_since(previous, count):
    """Problems of the records after checkpoint ``previous`` (a ChainCheckpoint row, or None
    for the chain's start) up to record #``count``: that checkpoint's seal and its match with
    the chain, then each new record and its link to the one before.

    What a new checkpoint adds, and nothing more: its cost follows the records since the
    previous checkpoint, not the chain's length. The records that checkpoint anchors were
    checked when it was made; ``termskit verify`` checks the whole chain again.
    """
    from ..models import ChainHead, ConsentRecord

    problems = []
    start, start_hash, newest_format = 0, GENESIS_HASH, 1
    if previous is not None:
        start, start_hash = previous.record_count, previous.head_hash
        problems += _check_stored_checkpoint(previous)
        anchored = ConsentRecord.objects.filter(sequence=start).first()
        newest_format = anchored.hash_version if anchored else CURRENT_HASH_VERSION
    records = ConsentRecord.objects.filter(sequence__gt=start, sequence__lte=count)
    found, last = _walk(records.order_by("sequence").iterator(), start_hash, start + 1,
                        newest_format)
    problems += found
    if last is None or last.sequence != count:
        problems.append(Problem("record", f"#{count}", "the record to anchor is missing"))
    head = ChainHead.objects.filter(name=CHAIN_NAME).first()
    # Another acceptance may have moved the head past ``count`` meanwhile: only a head
    # behind it, or at it with another hash, says the chain was cut or replaced.
    if head is None or head.last_sequence < count or (
            head.last_sequence == count and last is not None
            and head.last_hash != last.record_hash):
        problems.append(Problem("record", f"#{count}",
                                "the chain's last record is missing or was replaced"))
    return problems


def sealed_record_hash(pdf_bytes):
    """(sequence, record hash) named in the seal of one of our sealed PDFs, or None."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from ..documents.sealing import FIELD_NAME

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    for signature in reader.embedded_signatures:
        if signature.field_name != FIELD_NAME:
            continue
        found = SEAL_REASON_RECORD.search(str(signature.sig_object.get("/Reason", "")))
        if found:
            return int(found.group(1)), found.group(2)
    return None


def check_sealed_against_record(sealed, data):
    """Reasons the sealed PDF ``data`` and its consent record disagree (empty when they agree)."""
    record = sealed.record
    try:
        named = sealed_record_hash(data)
    except Exception as exc:  # unreadable: the file check reports the altered bytes
        return [f"its seal cannot be read ({exc.__class__.__name__})"]
    if named is None:
        if record.hash_version >= 2:
            return ["its seal names no consent record"]
        return []  # older withdrawal receipts named the record in the text only
    sequence, sealed_hash = named
    if (sequence, sealed_hash) != (record.sequence, record.record_hash):
        return [f"its seal names record #{sequence} SHA-256 {sealed_hash}, the database has "
                f"#{record.sequence} SHA-256 {record.record_hash}"]
    return []


def check_sealed_files():
    """Each sealed PDF's seal must be valid and name its record's current hash."""
    from ..documents.sealing import check_seal
    from ..models import SealedFile

    problems = []
    for sealed in SealedFile.objects.select_related("record").order_by("pk").iterator():
        ref = f"sealed file {sealed.pk} (record #{sealed.record.sequence})"
        try:
            data = read_field(sealed.pdf)
        except OSError:
            continue  # check_files reports the missing file
        check = check_seal(data)
        if not check.ok:
            problems.append(Problem("file", ref, f"seal not valid: {check.message}"))
        for reason in check_sealed_against_record(sealed, data):
            problems.append(Problem("record", ref, reason))
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
    items += _paper_scans()
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


def _paper_scans():
    """The signed scans of paper acceptances and the scans of withdrawal letters, as (ref,
    file, SHA-256 named in the record)."""
    from ..models import ConsentKind, ConsentRecord
    from ..storage import private_storage

    class Stored:  # what file_sha256 reads: a name in the private storage
        storage = private_storage

        def __init__(self, name):
            self.name = name

    items = []
    records = ConsentRecord.objects.filter(kind=ConsentKind.ACCEPTANCE,
                                           payload__contains='"method":"paper"')
    for record in records.order_by("sequence").iterator():
        try:
            paper = json.loads(record.payload)["paper"]
        except (ValueError, KeyError):
            continue  # check_chain reports an unreadable record
        items.append((f"paper scan of record {record_ref(record)}", Stored(paper["scan_name"]),
                      paper["scan_sha256"]))
    letters = ConsentRecord.objects.filter(kind=ConsentKind.WITHDRAWAL,
                                           payload__contains='"method":"letter"')
    for record in letters.order_by("sequence").iterator():
        try:
            letter = json.loads(record.payload)["letter"]
        except (ValueError, KeyError):
            continue
        if "scan_name" in letter:  # the scan of a withdrawal letter is optional
            items.append((f"letter scan of record {record_ref(record)}",
                          Stored(letter["scan_name"]), letter["scan_sha256"]))
    return items


def record_is_intact(record, sealed_pdf=None):
    """For the public page: the record's own hash and columns, its place in the chain and,
    given its sealed PDF, the hash named in the seal. Cheap: no walk of the whole chain."""
    from ..models import ChainHead, ConsentRecord

    if check_record(record):
        return False
    following = ConsentRecord.objects.filter(sequence=record.sequence + 1).first()
    if following is not None:
        if following.previous_hash != record.record_hash:
            return False
    else:
        head = ChainHead.objects.filter(name=CHAIN_NAME).first()
        if head is None or (head.last_sequence, head.last_hash) != (record.sequence,
                                                                    record.record_hash):
            return False
    if sealed_pdf is not None:
        sealed = getattr(record, "sealed_file", None)
        if sealed is None or check_sealed_against_record(sealed, sealed_pdf):
            return False
    return True


# --- Checkpoints: the chain head sealed and kept outside the database --------------------

CHECKPOINT_PREFIX = "terms_kit/checkpoints"


def checkpoint_names(count, head_hash):
    """Storage names of a checkpoint: sorted by record count, one per head."""
    stem = f"{CHECKPOINT_PREFIX}/{count:012d}-{head_hash[:16]}"
    return f"{stem}.json", f"{stem}.p7s"


def stored_checkpoints():
    """(JSON name, signature name) of every checkpoint in storage, oldest first."""
    from ..storage import private_storage

    try:
        _dirs, files = private_storage.listdir(CHECKPOINT_PREFIX)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in sorted(files):
        if name.endswith(".json"):
            base = f"{CHECKPOINT_PREFIX}/{name[:-5]}"
            found.append((f"{base}.json", f"{base}.p7s"))
    return found


def check_checkpoint(ref, document, signature):
    """Reasons a checkpoint (JSON bytes + its CMS signature) and the chain disagree."""
    from ..documents.sealing import check_detached
    from ..models import ConsentRecord

    if signature is None or not check_detached(document, signature):
        return ["its signature is missing or not made with this site's seal"]
    try:
        data = json.loads(document)
        count, head = int(data["record_count"]), str(data["head_hash"])
    except (ValueError, KeyError, TypeError):
        return ["it is not a readable checkpoint"]
    if count == 0:
        return []
    record = ConsentRecord.objects.filter(sequence=count).first()
    if record is None:
        return [f"it anchors {count} records; record #{count} is missing from the chain"]
    if record.record_hash != head:
        return [f"it anchors record #{count} with SHA-256 {head}; the chain now has "
                f"{record.record_hash}: a record up to #{count} was changed, removed or "
                "re-hashed"]
    return []


def _check_stored_checkpoint(row):
    """A checkpoint row's stored files: signed by our seal, saying what the row says, and
    matching the chain."""
    from ..storage import private_storage

    name = row.document.name
    try:
        document = read_stored(name)
    except OSError:
        return [Problem("checkpoint", name, "listed in the database but missing from storage")]
    signature = None
    if private_storage.exists(row.signature.name):
        signature = read_stored(row.signature.name)
    reasons = check_checkpoint(name, document, signature)
    if not reasons:
        data = json.loads(document)
        if (int(data["record_count"]), str(data["head_hash"])) != (row.record_count,
                                                                    row.head_hash):
            reasons = ["its file and its database row name different heads"]
    return [Problem("checkpoint", name, reason) for reason in reasons]


def check_checkpoints(extra=()):
    """Every stored checkpoint (and ``extra``: (label, JSON bytes, signature bytes) kept
    elsewhere, e.g. the copies e-mailed to the administrators) against the chain."""
    from ..models import ChainCheckpoint
    from ..storage import private_storage

    problems = []
    seen = set()
    # The rows before the files: a checkpoint's files are stored before its row commits, so
    # every row read here has its files in the listing below, even while another node makes
    # the next checkpoint (read the other way round, that one's row could show up without
    # its files and look deleted).
    rows = list(ChainCheckpoint.objects.order_by("record_count"))
    for json_name, signature_name in stored_checkpoints():
        seen.add(json_name)
        document = read_stored(json_name)
        signature = None
        if private_storage.exists(signature_name):
            signature = read_stored(signature_name)
        for reason in check_checkpoint(json_name, document, signature):
            problems.append(Problem("checkpoint", json_name, reason))
    for row in rows:
        if row.document.name not in seen:
            problems.append(Problem("checkpoint", row.document.name,
                                    "listed in the database but missing from storage"))
    for label, document, signature in extra:
        for reason in check_checkpoint(label, document, signature):
            problems.append(Problem("checkpoint", label, reason))
    return problems
