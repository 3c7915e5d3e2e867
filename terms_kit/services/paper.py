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


# --- Withdrawal received by letter -------------------------------------------------------

class WithdrawalRefused(ScanRefused):
    """The letter cannot be recorded as a withdrawal; the message says why and what to do."""


def withdraw_by_letter(engagement, *, sent_on, received_on, user, scan=None):
    """Record a consumer's withdrawal that came by post (or by hand), as the online one is
    recorded: a chained consent record (method "letter", with the optional scan's hash), then
    the status "withdrawn" through the status service. Returns the consent record.

    A consumer exercises the right by sending the withdrawal before the period ends
    (C. conso L221-21): the date it was sent (postmark) decides, the date received is kept.
    Refused, with nothing stored, for a client without the right (a business, a contract made
    on the expert's premises), after the period, or when the status does not allow it.
    """
    from .acceptance import accepted_rights

    kind = scan_kind(scan) if scan else None
    today = timezone.localdate()
    if received_on is None or received_on > today:
        raise WithdrawalRefused(_("Give the date the letter reached you (not in the future)."),
                                "received_on")
    if sent_on is None or sent_on > received_on:
        raise WithdrawalRefused(_("Give the date the letter was sent (the postmark), on or "
                                  "before the day it reached you."), "sent_on")
    rights = accepted_rights(engagement)
    if rights is None:
        raise WithdrawalRefused(_("This quote has not been accepted: there is nothing to "
                                  "withdraw from. To end it, record it as declined or "
                                  "cancelled."), "__all__")
    if not rights.get("consumer_regime"):
        raise WithdrawalRefused(_(
            "This client is a business: the legal right to withdraw protects consumers (and "
            "businesses of 5 employees or fewer met off premises), so a letter does not end "
            "this contract by itself. If you agree to end it, record it as cancelled."),
            "__all__")
    if not rights.get("withdrawal"):
        raise WithdrawalRefused(_(
            "No withdrawal right applies to this contract (it was made on your premises, or "
            "the service was fully performed at the client's request), as recorded when the "
            "client accepted. If you agree to end it, record it as cancelled."), "__all__")
    deadline = datetime.datetime.fromisoformat(rights["withdrawal_deadline"])
    last_day = timezone.localtime(deadline).date()
    if sent_on > last_day:
        raise WithdrawalRefused(_(
            "The withdrawal period ended on %(last_day)s and the letter was sent on "
            "%(sent_on)s: it is too late to withdraw (C. conso L221-18). Check the postmark; "
            "if you agree to end the contract anyway, record it as cancelled.")
            % {"last_day": last_day.strftime("%d/%m/%Y"),
               "sent_on": sent_on.strftime("%d/%m/%Y")}, "sent_on")
    try:
        with transaction.atomic():
            return _withdraw_by_letter(engagement, scan, kind, sent_on, received_on, user)
    except IntegrityError as exc:
        raise AlreadyDone(_("A withdrawal is already recorded for this contract.")) from exc


def _withdraw_by_letter(engagement, scan, kind, sent_on, received_on, user):
    from ..status import can_transition

    locked = Engagement.objects.select_for_update().select_related("client").get(
        pk=engagement.pk)
    if ConsentRecord.objects.filter(engagement=locked, kind=ConsentKind.WITHDRAWAL).exists():
        raise AlreadyDone(_("A withdrawal is already recorded for this contract."))
    if not can_transition(locked.status, Status.WITHDRAWN):
        raise AlreadyDone(_("A contract that is %(status)s can no longer be withdrawn from.")
                          % {"status": locked.get_status_display()})
    letter = {"sent_on": sent_on.isoformat(), "received_on": received_on.isoformat()}
    if scan:
        digest = sha256(scan)
        name = scan_name(digest, kind)
        if not private_storage.exists(name):
            name = private_storage.save(name, ContentFile(scan))
        letter.update(scan_name=name, scan_sha256=digest, scan_type=SCAN_TYPES[kind],
                      scan_bytes=len(scan))
    now = timezone.now()
    letter.update(recorded_at=now.isoformat(), recorded_by_id=user.pk if user else None,
                  recorded_by=user.get_username() if user else "")
    payload = {
        "kind": ConsentKind.WITHDRAWAL.value,
        "method": "letter",
        "engagement": {"id": locked.pk, "number": locked.number, "owner_id": locked.owner_id},
        "client": {"name": locked.client.name, "kind": locked.client.kind},
        "letter": letter,
    }
    record = _append_record(locked, ConsentKind.WITHDRAWAL, payload, now)
    change_status(locked, Status.WITHDRAWN, user=user,
                  note=f"withdrawal by letter sent {sent_on.isoformat()}, received "
                       f"{received_on.isoformat()}, record #{record.sequence}",
                  origin=Origin.ACCEPTANCE)
    # The client's link stays: it still shows their documents, as after an online withdrawal.
    _checkpoint_on_commit()
    engagement.status = locked.status
    return record


def letter_scan(record):
    """(storage name, SHA-256, content type) of a withdrawal letter's scan, else None."""
    payload = json.loads(record.payload)
    letter = payload.get("letter") if payload.get("method") == "letter" else None
    if not letter or "scan_name" not in letter:
        return None
    return letter["scan_name"], letter["scan_sha256"], letter["scan_type"]
