"""Chain checkpoints: the consent chain's head sealed and kept outside the database.

A checkpoint is a small JSON file (record count, head hash, time) with a detached CMS
signature by the seal key, written to storage and e-mailed to the site's administrators.
Someone able to rewrite the database (and recompute every hash) cannot rewrite the copies
already in the administrators' mailboxes: ``termskit verify`` compares the chain with them.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..acceptance import evidence
from ..conf import app_settings
from ..documents import sealing
from ..exceptions import TermsKitError
from ..models import ChainCheckpoint, ConsentRecord
from ..storage import private_storage
from .mail import send_recorded

FORMAT = "terms-kit consent chain checkpoint 1"


class ChainBroken(TermsKitError):
    """The chain does not verify: it is not anchored as it is (``problems`` lists why)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the consent chain: not checkpointed.")


@dataclass(frozen=True)
class Outcome:
    checkpoint: ChainCheckpoint | None
    created: bool
    recipients: tuple = ()


def recipients():
    admins = [entry[1] if isinstance(entry, (list, tuple)) else entry
              for entry in getattr(settings, "ADMINS", ())]
    return tuple(dict.fromkeys([*admins, *app_settings.CHECKPOINT_EMAILS]))


def make_checkpoint(now=None):
    """Seal, store and e-mail the current chain head; nothing when it is already anchored.

    Checks what the checkpoint adds (evidence.check_since): the previous checkpoint's seal
    and its match with the chain, and each record since, linked to it. So its cost follows
    the records since the previous checkpoint, not the chain's length; ``termskit verify``
    checks the whole chain and every checkpoint. Refuses (ChainBroken) when that part does
    not verify: anchoring a rewritten chain would bless it. Two runs at once store one
    checkpoint: the second waits on the unique (count, head) row and then finds it.
    """
    last = ConsentRecord.objects.order_by("-sequence").first()
    if last is None:
        return Outcome(None, False)
    count, head = last.sequence, last.record_hash
    previous = (ChainCheckpoint.objects.filter(record_count__lt=count)
                .order_by("-record_count").first())
    problems = evidence.check_since(previous, count)
    if problems:
        raise ChainBroken(problems)
    existing = ChainCheckpoint.objects.filter(record_count=count, head_hash=head).first()
    if existing is not None:
        return Outcome(existing, False)
    now = now or timezone.now()
    document = (json.dumps({
        "format": FORMAT,
        "chain": evidence.CHAIN_NAME,
        "record_count": count,
        "head_hash": head,
        "created_at": now.isoformat(),
        "site": app_settings.PUBLIC_BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
    }, indent=2, sort_keys=True) + "\n").encode("utf-8")
    signature = sealing.sign_detached(document)
    json_name, signature_name = evidence.checkpoint_names(count, head)
    to = recipients()
    try:
        with transaction.atomic():
            checkpoint = ChainCheckpoint.objects.create(
                created_at=now, record_count=count, head_hash=head, document=json_name,
                signature=signature_name)
            # Mail first, then store: a failed mail rolls back and the next run tries again.
            if to:
                _mail(to, count, head, json_name, document, signature_name, signature)
            # The signature before the JSON: a checkpoint is listed by its JSON, so a node
            # checking the chain meanwhile never finds one without its signature.
            for name in (json_name, signature_name):
                if private_storage.exists(name):
                    private_storage.delete(name)  # left by a run that failed after storing
            for name, content in ((signature_name, signature), (json_name, document)):
                private_storage.save(name, ContentFile(content))
    except IntegrityError:
        return Outcome(ChainCheckpoint.objects.get(record_count=count, head_hash=head), False)
    return Outcome(checkpoint, True, to)


def _mail(to, count, head, json_name, document, signature_name, signature):
    subject = f"terms-kit: consent chain checkpoint, {count} records"
    body = (
        f"The consent chain of this site has {count} records; its head is\n{head}\n\n"
        "Keep this e-mail and its two attachments: they anchor the chain outside the site's "
        "database.\nCheck them at any time with\n"
        "  manage.py termskit verify --checkpoint CHECKPOINT.json\n"
        "(the .p7s beside it), or without terms-kit:\n"
        "  openssl cms -verify -binary -inform DER -in CHECKPOINT.p7s -content CHECKPOINT.json "
        "-CAfile seal-cert.pem -purpose any\n"
    )
    # Sent now, inside the checkpoint's transaction: a failed mail rolls the checkpoint back.
    send_recorded(
        owner=None, to=list(to), subject=subject, body=body, language="en", kind="checkpoint",
        attachments=[
            (json_name.rsplit("/", 1)[-1], document, "application/json"),
            (signature_name.rsplit("/", 1)[-1], signature, "application/pkcs7-signature"),
        ],
        from_email=settings.SERVER_EMAIL, immediately=True)
