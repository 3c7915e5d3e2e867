"""Acceptance signed on paper: the expert uploads the client's signed scan.

The other way a quote becomes "accepted" (besides the client's online acceptance): the scan
is checked (PDF, JPEG or PNG, size-limited, really what it claims to be), stored in the
private storage under its SHA-256, and recorded in the consent chain as an acceptance whose
method is "paper", with the scan's hash, who recorded it and when the client signed. The
status then moves through the acceptance service's origin and the payment schedule is made,
as after an online acceptance; the client's links stop working (the quote is signed).
"""

import datetime
import io
import json

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..documents.hashing import sha256
from ..exceptions import AlreadyDone, TermsKitError
from ..models import ConsentKind, ConsentRecord, Engagement
from ..spec import export_engagement
from ..status import Origin, Status
from ..storage import private_storage
from .acceptance import _append_record, _checkpoint_on_commit, revoke_links, withdrawal_rights
from .payments import create_schedule
from .status import change_status

PAPER_PREFIX = "terms_kit/paper"
MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


class ScanRefused(TermsKitError):
    """The uploaded scan cannot be the evidence; ``field`` names the form field."""

    def __init__(self, message, field="scan"):
        super().__init__(message)
        self.field = field


def scan_kind(data):
    """"pdf", "jpg" or "png" when ``data`` really is one (opened, not just named), else
    ScanRefused saying what to do."""
    if not data:
        raise ScanRefused(_("The file is empty: scan the signed quote again and upload it."))
    if len(data) > MAX_SCAN_BYTES:
        raise ScanRefused(_("The file is %(size)s MB; the limit is %(limit)s MB. Scan at "
                            "150-300 dpi, or in black and white.")
                          % {"size": round(len(data) / 1048576, 1),
                             "limit": MAX_SCAN_BYTES // 1048576})
    if data.startswith(b"%PDF-"):
        from pypdf import PdfReader

        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 - any parser error means the same to the expert
            pages = 0
        if pages < 1:
            raise ScanRefused(_("This PDF cannot be read (damaged or empty). Export the scan "
                                "again as PDF, JPEG or PNG."))
        return "pdf"
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                kind = {"JPEG": "jpg", "PNG": "png"}.get(image.format)
        except Exception:  # noqa: BLE001
            kind = None
        if kind:
            return kind
    raise ScanRefused(_("Upload the signed quote as a PDF, JPEG or PNG file (this file is none "
                        "of them, whatever its name)."))


def scan_name(digest, kind):
    return f"{PAPER_PREFIX}/{digest[:2]}/{digest}.{kind}"


def accept_on_paper(engagement, *, scan, signer_name, signed_on, user, signer_role=""):
    """Record the paper acceptance of a sent quote; returns the consent record.

    ``scan`` is the file's bytes. Refused (nothing stored) when the quote is not "sent", is
    already accepted, the scan is not a readable PDF/JPEG/PNG under the size limit, the
    signer's name is missing or the signing date is in the future or before the quote.
    """
    kind = scan_kind(scan)
    signer_name = " ".join((signer_name or "").split())
    if len(signer_name) < 2:
        raise ScanRefused(_("Type the name of the person who signed, as written on the quote."),
                          "signer_name")
    if signed_on is None or signed_on > timezone.localdate():
        raise ScanRefused(_("Give the date written next to the signature (not in the future)."),
                          "signed_on")
    if signed_on < engagement.issue_date:
        raise ScanRefused(_("The quote was issued on %(issued)s: it cannot have been signed "
                            "before. Check the date next to the signature.")
                          % {"issued": engagement.issue_date.isoformat()}, "signed_on")
    try:
        with transaction.atomic():
            return _accept_on_paper(engagement, scan, kind, signer_name, signer_role,
                                    signed_on, user)
    except IntegrityError as exc:
        raise AlreadyDone(_("This quote has already been accepted.")) from exc


def _accept_on_paper(engagement, scan, kind, signer_name, signer_role, signed_on, user):
    locked = Engagement.objects.select_for_update().select_related("client").get(
        pk=engagement.pk)
    if ConsentRecord.objects.filter(engagement=locked, kind=ConsentKind.ACCEPTANCE).exists():
        raise AlreadyDone(_("This quote has already been accepted."))
    if locked.status != Status.SENT:
        raise AlreadyDone(_("Only a sent quote can be recorded as signed on paper (this one "
                            "is %(status)s).") % {"status": locked.get_status_display()})
    digest = sha256(scan)
    name = scan_name(digest, kind)
    if not private_storage.exists(name):
        name = private_storage.save(name, ContentFile(scan))
    now = timezone.now()
    spec = export_engagement(locked)
    # Rights run from the signature on paper, not from the day the scan was uploaded.
    signed_at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12)))
    payload = {
        "kind": ConsentKind.ACCEPTANCE.value,
        "method": "paper",
        "engagement": {"id": locked.pk, "number": locked.number, "title": locked.title,
                       "owner_id": locked.owner_id,
                       "total_incl_vat": str(locked.totals.total_incl_vat)},
        "client": {"name": locked.client.name, "kind": locked.client.kind,
                   "signer_name": signer_name, "signer_role": signer_role.strip()},
        "paper": {"scan_name": name, "scan_sha256": digest, "scan_type": SCAN_TYPES[kind],
                  "scan_bytes": len(scan), "signed_on": signed_on.isoformat(),
                  "recorded_at": now.isoformat(), "recorded_by_id": user.pk if user else None,
                  "recorded_by": user.get_username() if user else ""},
        "terms": spec.get("terms") and {"version": spec["terms"]["version"],
                                        "content_hash": spec["terms"]["content_hash"]},
        "rights": withdrawal_rights(spec, signed_at),
    }
    record = _append_record(locked, ConsentKind.ACCEPTANCE, payload, now)
    change_status(locked, Status.ACCEPTED, user=user,
                  note=f"signed on paper, record #{record.sequence}", origin=Origin.ACCEPTANCE)
    revoke_links(locked)
    create_schedule(locked)
    _checkpoint_on_commit()
    engagement.status = locked.status
    return record


def paper_scan(record):
    """(storage name, SHA-256, content type) of a paper acceptance's scan, else None."""
    payload = json.loads(record.payload)
    paper = payload.get("paper") if payload.get("method") == "paper" else None
    if not paper:
        return None
    return paper["scan_name"], paper["scan_sha256"], paper["scan_type"]
