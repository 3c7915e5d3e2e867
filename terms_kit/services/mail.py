"""The one mail adapter: every message terms-kit sends goes through ``send_recorded``.

It sends through Django's mail backend and records a ``SentMessage`` (insert-only): who,
to whom, when, the exact text and its SHA-256, each attachment's name, size and SHA-256,
the Message-ID and the backend's own id when it gives one, and whether it was accepted.
That record is the proof of sending a formal notice by e-mail relies on.

Transactions: inside an atomic block the message is sent, and recorded, *after the commit*
(``transaction.on_commit``): a rolled-back transaction never leaves behind a message that
went out about data that does not exist, and the record is written once the backend has
answered, so it never claims a send that did not happen (records are insert-only: a
"pending" row could never be corrected). ``send_recorded`` then returns ``None``; outside a
transaction it sends at once and returns the record. ``immediately=True`` sends inside the
transaction when the caller wants a failed send to roll its work back (the consent chain
checkpoint): then the record belongs to that transaction.

Idempotency: with ``idempotency_key``, a message already sent under that key is not sent
again and its record is returned. A failed send is recorded (outcome "failed", the error)
and the exception raised again, as Django's ``send()`` does.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..conf import app_settings
from ..models import SentMessage

logger = logging.getLogger(__name__)


def default_from_email():
    return app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def _sha256(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _normalise_attachments(attachments):
    """(filename, bytes, mimetype) triples; a (filename, bytes) pair is taken as a PDF."""
    result = []
    for item in attachments or ():
        if len(item) == 2:
            name, content = item
            mimetype = "application/pdf"
        else:
            name, content, mimetype = item
        if isinstance(content, str):
            content = content.encode("utf-8")
        result.append((name, bytes(content), mimetype or "application/octet-stream"))
    return result


def send_recorded(*, owner, to, subject, body, language, kind, engagement=None,
                  attachments=(), html=None, related=None, idempotency_key="",
                  from_email=None, reply_to=None, immediately=False):
    """Send one e-mail and record it. See the module docstring for transactions.

    ``owner``: the expert (a user) the message is sent for, or None for the site's own;
    ``to``: an address or a list; ``kind``: what it is ("invoice", "reminder_1",
    "formal_notice"...); ``related``: the record it is about (an invoice, a dunning step).
    """
    recipients = [to] if isinstance(to, str) else [str(address) for address in to]
    files = _normalise_attachments(attachments)
    args = {
        "owner": owner, "recipients": recipients, "subject": str(subject), "body": str(body),
        "language": language or "", "kind": kind, "engagement": engagement, "files": files,
        "html": None if html is None else str(html), "related": related,
        "idempotency_key": idempotency_key or "",
        "from_email": from_email or default_from_email(), "reply_to": reply_to,
    }
    if connection.in_atomic_block and not immediately:
        transaction.on_commit(lambda: _send_and_record(**args))
        return None
    return _send_and_record(**args)


def _already_sent(idempotency_key):
    if not idempotency_key:
        return None
    return SentMessage.objects.filter(idempotency_key=idempotency_key,
                                      outcome=SentMessage.Outcome.SENT).first()


def _send_and_record(*, owner, recipients, subject, body, language, kind, engagement, files,
                     html, related, idempotency_key, from_email, reply_to):
    previous = _already_sent(idempotency_key)
    if previous is not None:
        return previous
    message_id = make_msgid()
    message = EmailMultiAlternatives(
        subject, body, from_email, recipients,
        reply_to=[reply_to] if isinstance(reply_to, str) else reply_to,
        headers={"Message-ID": message_id},
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in files:
        message.attach(name, content, mimetype)
    error = None
    try:
        message.send()
    except Exception as exc:  # recorded, then raised again
        error = exc
    record = SentMessage(
        owner=owner, engagement=engagement, kind=kind, sender=from_email,
        recipients=recipients, subject=subject[:500], body=body, body_sha256=_sha256(body),
        html_sha256=_sha256(html) if html is not None else "", language=language,
        attachments=[{"name": name, "size": len(content), "sha256": _sha256(content),
                      "mimetype": mimetype} for name, content, mimetype in files],
        message_id=message_id, backend_message_id=_backend_id(message),
        idempotency_key=idempotency_key, sent_at=timezone.now(),
        outcome=SentMessage.Outcome.FAILED if error else SentMessage.Outcome.SENT,
        error=f"{type(error).__name__}: {error}" if error else "",
    )
    if related is not None:
        record.related_type = ContentType.objects.get_for_model(type(related))
        record.related_id = str(related.pk)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another process sent under the same key meanwhile (its record wins).
        logger.warning("message under key %s was sent twice at once", idempotency_key)
        return _already_sent(idempotency_key)
    if error is not None:
        raise error
    return record


def _backend_id(message):
    """The provider's id when the backend gives one (django-anymail's, for instance)."""
    status = getattr(message, "anymail_status", None)
    if status is not None and getattr(status, "message_id", None):
        return str(status.message_id)[:500]
    for attribute in ("backend_message_id", "provider_message_id"):
        value = getattr(message, attribute, None)
        if value:
            return str(value)[:500]
    return ""


def messages_for(engagement):
    """The messages sent about one engagement, oldest first."""
    return SentMessage.objects.filter(engagement=engagement).order_by("sent_at", "pk")


def messages_about(record):
    """The messages sent about one record (an invoice, a dunning step...)."""
    return SentMessage.objects.filter(
        related_type=ContentType.objects.get_for_model(type(record)), related_id=str(record.pk)
    ).order_by("sent_at", "pk")
