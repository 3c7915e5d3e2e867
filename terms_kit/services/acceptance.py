"""Client review and acceptance: the only code that changes links, codes, consents and status.

The steps: the expert sends the engagement (a personal link by e-mail); the client opens it,
confirms their e-mail with a one-time code, ticks the consents, types their name and signs.
Acceptance is one transaction: chained consent record, status, certificate, sealed pack.
A consumer at a distance may then withdraw, which is recorded and sealed the same way.
"""

import datetime
import hashlib
import json
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from ..acceptance import evidence, pack
from ..acceptance.consents import required_consents
from ..conf import app_settings
from ..documents import rules, sealing
from ..documents.hashing import canonical_json, sha256
from ..exceptions import (
    AlreadyDone,
    CodeInvalid,
    IncompleteAcceptance,
    LinkInvalid,
    NotRecorded,
    StorageUnavailable,
    TermsKitError,
)
from ..models import (
    AccessLink,
    ChainHead,
    ConsentKind,
    ConsentRecord,
    EmailCode,
    Engagement,
    SealedFile,
)
from ..models.pages import terms_permalink
from ..spec import export_engagement
from ..status import Origin, Status, can_transition
from ..storage import store_once
from .compliance_gate import ensure_sendable
from .documents import issue_document
from .payments import create_schedule
from .status import change_status

logger = logging.getLogger(__name__)

SEALED_PREFIX = "terms_kit/sealed"
SIGNATURE_STATEMENT = "Bon pour accord"


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _code_hash(link, code):
    # Keyed with SECRET_KEY: six digits are easy to brute-force from a bare SHA-256.
    return salted_hmac("terms_kit.email_code", f"{link.pk}:{code}").hexdigest()


def _base_url(base_url=None):
    """The configured public address first (behind a proxy the request's may be internal),
    then the sending admin request's, then WAGTAILADMIN_BASE_URL; never a placeholder such
    as the http://example.com of a stock Wagtail project."""
    from ..checks import is_placeholder_url

    for candidate in (app_settings.PUBLIC_BASE_URL, base_url,
                      getattr(settings, "WAGTAILADMIN_BASE_URL", None)):
        if candidate and not is_placeholder_url(candidate):
            return str(candidate).rstrip("/")
    raise TermsKitError(_(
        "The site's public address is not configured, so the client's link cannot be made: "
        "set TERMS_KIT['PUBLIC_BASE_URL'] (e.g. https://terms.example.fr)."))


def client_url(token, name="review", base_url=None):
    return _base_url(base_url) + reverse(f"terms_kit:client_{name}", args=[token])


def _from_email():
    return app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def _send(subject, template, context, to, lang, attachments=(), reply_to=None, *,
          engagement, related=None):
    """Through the mail adapter, which records it; callers already wait for the commit."""
    from .mail import send_recorded

    with translation.override(lang):
        body = render_to_string(f"terms_kit/client/email/{template}.txt", context)
    return send_recorded(
        owner=engagement.owner, engagement=engagement, to=to, subject=subject, body=body,
        language=lang, kind=template, attachments=attachments, related=related,
        reply_to=reply_to or None, from_email=_from_email(), immediately=True)


def _format_dt(value, lang):
    from babel.dates import format_datetime

    local = timezone.localtime(value)
    return format_datetime(local, "long" if lang == "en" else "d MMMM y 'à' HH:mm:ss zzzz",
                           locale=lang)


# --- Sending -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SentLink:
    link: AccessLink
    token: str
    url: str


def send_to_client(engagement, user, base_url=None):
    """Send the engagement to its client: a new personal link by e-mail (older ones revoked).

    A draft moves to "sent" (and gets its number); a sent engagement gets a fresh link.
    The quote and terms the link shows are issued here, in the client's language.
    A draft is sent only through the compliance gate, run here on the locked row so that
    every caller (wizard, status page, command) meets it: ``SendBlocked`` while an error
    remains or a warning is not acknowledged. A sent quote is frozen: a new link re-sends
    what was already checked.
    """
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().select_related("client").get(
            pk=engagement.pk)
        if locked.status == Status.DRAFT:
            ensure_sendable(locked)
            change_status(locked, Status.SENT, user=user, note="sent to client",
                          origin=Origin.ACCEPTANCE)
            from .revisions import supersede_revised

            supersede_revised(locked, user)  # a revision replaces the quote it revises
        elif locked.status != Status.SENT:
            raise TermsKitError(_(
                "Only a draft or a sent quote can be sent to the client (this one is %(status)s)."
            ) % {"status": locked.get_status_display()})
        now = timezone.now()
        AccessLink.objects.filter(engagement=locked, revoked_at__isnull=True).update(
            revoked_at=now)
        lang = locked.client.language or locked.language
        kinds = ["quote", "terms"] if locked.terms_version_id else ["quote"]
        documents = [issue_document(locked, kind, lang) for kind in kinds]
        token = secrets.token_urlsafe(32)
        link = AccessLink.objects.create(
            engagement=locked, token_sha256=token_hash(token), language=lang,
            email=locked.client.email, created_at=now, created_by=user,
            expires_at=now + datetime.timedelta(days=app_settings.CLIENT_LINK_DAYS),
        )
        link.documents.set(documents)
        url = client_url(token, base_url=base_url)
        identity = locked.identity
        # The e-mail greets a person: a company's contact, else the client's own name.
        context = {"client_name": locked.client.contact_name or locked.client.name,
                   "seller": str(identity),
                   "number": locked.number, "url": url,
                   "expires_at": _format_dt(link.expires_at, lang)}
        with translation.override(lang):
            subject = _("Quote %(number)s from %(seller)s") % {
                "number": locked.number, "seller": identity}
        transaction.on_commit(lambda: _send(subject, "link", context, [link.email], lang,
                                            reply_to=identity.email or None,
                                            engagement=locked, related=link))
    engagement.status, engagement.number = locked.status, locked.number
    return SentLink(link, token, url)


def revoke_links(engagement):
    """Revoke every live link of an engagement (the expert withdrew the offer, wrong address)."""
    return AccessLink.objects.filter(engagement=engagement, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


# --- The client's link -------------------------------------------------------------------

def resolve_link(token):
    """The usable link for ``token``, or LinkInvalid with a message for the client."""
    # get(), not first(): the hash is unique, and an ORDER BY over the hundred-odd columns
    # of the link, engagement and client costs more to compile than the query takes to run.
    # The expert's identity is read only by the pages that show it (one query there).
    try:
        link = AccessLink.objects.select_related("engagement", "engagement__client").get(
            token_sha256=token_hash(token or ""))
    except AccessLink.DoesNotExist:
        raise LinkInvalid(
            _("This link is not valid. Check that you copied it completely.")) from None
    if link.revoked_at is not None:
        raise LinkInvalid(_("This link has been replaced or withdrawn. Use the most recent "
                            "e-mail you received, or ask the sender for a new link."))
    if link.expires_at <= timezone.now():
        raise LinkInvalid(_("This link has expired. Ask the sender for a new link."))
    if link.first_opened_at is None:
        AccessLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(
            first_opened_at=timezone.now())
        link.refresh_from_db(fields=["first_opened_at"])
    return link


def session_proof_hash(proof):
    return hashlib.sha256((proof or "").encode("utf-8")).hexdigest()


def session_verified(link, proof):
    """The code that confirmed the browser holding ``proof`` (kept in its session), or None.

    The e-mail code confirms one browser session, not the link: someone else who has the
    link (a forwarded e-mail, another browser) is asked for a code sent to the client.
    """
    if not proof:
        return None
    return (EmailCode.objects.filter(link=link, used_at__isnull=False,
                                     session_proof_sha256=session_proof_hash(proof))
            .order_by("-used_at").first())


def send_email_code(link, session_proof=None):
    """E-mail a new one-time code to the client's address (older unused codes stop working).

    None when the browser holding ``session_proof`` has already confirmed the address.
    """
    if session_verified(link, session_proof):
        return None
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        EmailCode.objects.filter(link=link, used_at__isnull=True).update(used_at=now)
        email_code = EmailCode.objects.create(
            link=link, code_hash=_code_hash(link, code), created_at=now,
            expires_at=now + datetime.timedelta(minutes=app_settings.EMAIL_CODE_MINUTES),
        )
        with translation.override(link.language):
            subject = _("Your confirmation code")
        context = {"code": code, "minutes": app_settings.EMAIL_CODE_MINUTES}
        transaction.on_commit(lambda: _send(subject, "code", context, [link.email],
                                            link.language, engagement=link.engagement))
    return email_code


def verify_email_code(link, code):
    """Check the code typed by the client. Returns the proof for the browser that typed it:
    a random secret to keep in its session (only its hash is stored, with the code)."""
    proof = secrets.token_urlsafe(32)
    # The failed attempt must be counted even though we refuse: decide inside the
    # transaction, raise after it has committed.
    with transaction.atomic():
        error = _check_code(link, code, proof)
    if error:
        raise CodeInvalid(error)
    return proof


def _check_code(link, code, proof):
    current = (EmailCode.objects.select_for_update()
               .filter(link=link, used_at__isnull=True).order_by("-created_at", "-pk").first())
    if current is None:
        return _("Ask for a code first: no code is waiting for this link.")
    if current.expires_at <= timezone.now():
        return _("This code has expired. Ask for a new one.")
    if current.attempts >= app_settings.EMAIL_CODE_MAX_ATTEMPTS:
        return _("Too many wrong codes. Ask for a new one.")
    current.attempts += 1
    if not constant_time_compare(current.code_hash, _code_hash(link, (code or "").strip())):
        current.save(update_fields=["attempts"])
        left = app_settings.EMAIL_CODE_MAX_ATTEMPTS - current.attempts
        return _("Wrong code. %(left)s attempt(s) left.") % {"left": left}
    now = timezone.now()
    current.used_at = now
    current.session_proof_sha256 = session_proof_hash(proof)
    current.save(update_fields=["attempts", "used_at", "session_proof_sha256"])
    # The link keeps the first confirmation (shown to the expert); signing needs the session's.
    AccessLink.objects.filter(pk=link.pk, email_verified_at__isnull=True).update(
        email_verified_at=now)
    link.refresh_from_db(fields=["email_verified_at"])
    return None


def consents_for(link):
    return required_consents(export_engagement(link.engagement), link.language)


# --- The consent chain -------------------------------------------------------------------

def _append_record(engagement, kind, payload, now):
    """Insert the next record of the site-wide chain; the head row lock stops forks."""
    head, _created = ChainHead.objects.select_for_update().get_or_create(
        name=evidence.CHAIN_NAME, defaults={"last_hash": evidence.GENESIS_HASH})
    text = canonical_json(payload)
    sequence = head.last_sequence + 1
    record = ConsentRecord.objects.create(
        engagement=engagement, kind=kind, sequence=sequence, created_at=now,
        payload=text, previous_hash=head.last_hash,
        hash_version=evidence.CURRENT_HASH_VERSION,
        record_hash=evidence.record_hash_v2(
            sequence=sequence, kind=kind, engagement_id=engagement.pk, created_at=now,
            previous_hash=head.last_hash, payload=text),
    )
    ChainHead.objects.filter(pk=head.pk).update(
        last_sequence=record.sequence, last_hash=record.record_hash)
    return record


def _store_sealed(record, engagement, data, summary):
    # The seal's reason names the record's hash (shown by PDF readers; `verify` compares it).
    sealed = sealing.seal_pdf(data, evidence.seal_reason(record, summary))
    digest = sha256(sealed)
    name = store_once(f"{SEALED_PREFIX}/{digest[:2]}/{digest}.pdf", sealed)
    return SealedFile.objects.create(record=record, engagement=engagement, pdf=name,
                                     pdf_sha256=digest), sealed


def _read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


# --- Acceptance --------------------------------------------------------------------------

@dataclass(frozen=True)
class Accepted:
    record: ConsentRecord
    sealed: SealedFile


SIGNER_ROLE_MAX = 120


def asks_signer_role(engagement):
    """A company signs through a person acting in some capacity: the quote's signature block
    asks "Nom, qualité et signature", so the page asks for the signatory's role (qualité)."""
    return engagement.client.kind == "business"


def _check_complete(verified_code, consents, ticked, full_name, signer_role=None):
    errors = {}
    if verified_code is None:
        errors["code"] = _("Confirm your e-mail address with the code we sent first.")
    for consent in consents:
        if not ticked.get(consent.key):
            errors[consent.key] = _("Tick this box to accept; it cannot be skipped.")
    if len((full_name or "").strip()) < 2:
        errors["full_name"] = _("Type your full name (first name and last name) to sign.")
    if signer_role is not None:
        role = " ".join(signer_role.split())
        if len(role) < 2:
            errors["signer_role"] = _("Type your role in the company (for example: managing "
                                      "director): the quote is signed in that capacity.")
        elif len(role) > SIGNER_ROLE_MAX:
            errors["signer_role"] = _("Your role is too long: %(max)s characters at most.") % {
                "max": SIGNER_ROLE_MAX}
    if errors:
        raise IncompleteAcceptance(errors)


@contextmanager
def recorded_whole_or_not_at_all():
    """Around a client's signature: when the database or the file storage fails midway, the
    transaction has rolled everything back (record, status, pack, e-mails waiting for the
    commit), so the client is told plainly that nothing was signed and to sign again.

    A connection the failure broke (the server closed it, the database restarted) is closed
    here, outside any transaction, so the rest of the request can open a fresh one."""
    try:
        yield
    except IntegrityError:
        raise
    except (DatabaseError, StorageUnavailable) as exc:
        logger.exception("A client's signature could not be recorded; nothing was kept.")
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        raise NotRecorded(_(
            "Your signature could not be recorded because of a technical problem on our side. "
            "Nothing was signed and nothing is owed. Wait a few minutes, then open your link "
            "again and sign again; if it keeps failing, contact the person who sent you the "
            "link.")) from exc


def accept(link, *, ticked, full_name, ip_address, user_agent, token=None, session_proof=None,
           signer_role=""):
    """The client accepts: evidence, status, certificate and sealed pack in one transaction.

    ``ticked`` maps each consent key to the checkbox state sent by the browser. A second call
    (double click, second tab, replayed POST) raises AlreadyDone and stores nothing.
    ``token`` (the link's, known only to the client's request) puts the links in the e-mail.
    ``session_proof`` (from verify_email_code, kept in the browser's session) shows that this
    browser confirmed the e-mail address; without it nothing is signed.
    ``signer_role``: the signatory's role (qualité), required when the client is a company.
    """
    try:
        with recorded_whole_or_not_at_all(), transaction.atomic():
            return _accept(link, ticked, full_name, ip_address, user_agent, token,
                           session_proof, signer_role)
    except IntegrityError as exc:
        # The uniqueness constraint caught a concurrent acceptance the lock did not.
        raise AlreadyDone(_("This quote has already been accepted.")) from exc


def withdrawal_rights(spec, accepted_at):
    """The rights decided at acceptance, frozen into the consent record (never recomputed
    from live rows: editing the client afterwards must not take a right away)."""
    on = (timezone.localdate(accepted_at) if isinstance(accepted_at, datetime.datetime)
          else accepted_at)
    regime = rules.regime(spec, on=on)
    has_right, days = regime.has_withdrawal_right, regime.withdrawal_days
    return {
        "consumer_regime": regime.is_consumer_regime,
        "withdrawal": has_right,
        "withdrawal_days": days,
        "withdrawal_deadline": (accepted_at + datetime.timedelta(days=days)).isoformat()
        if has_right else None,
    }


_LOOK_UP = object()


def accepted_rights(engagement, accepted=_LOOK_UP):
    """The rights frozen in the engagement's acceptance record (None when not accepted).
    ``accepted``: that record (or None) when the caller has read it already."""
    if accepted is _LOOK_UP:
        accepted = engagement.consent_records.filter(kind=ConsentKind.ACCEPTANCE).first()
    if accepted is None:
        return None
    rights = json.loads(accepted.payload).get("rights")
    if rights is None:
        # Records made before the rights were frozen: the only fallback is the engagement's
        # current data (docs/acceptance.md).
        rights = withdrawal_rights(export_engagement(engagement), accepted.created_at)
    return rights


def signer_evidence(engagement, link, verified_code, consents, ticked, shown, full_name,
                    signer_role, ip_address, user_agent, now):
    """The parts every signed record holds (quote, instalment plan, new terms): who signed,
    from where, the steps of the link and the code, each consent as worded, the documents
    shown. One builder, so the evidence formats cannot drift apart."""
    return {
        "client": {"name": engagement.client.name, "kind": engagement.client.kind,
                   "verified_email": link.email, "signer_name": full_name,
                   **({"signer_role": signer_role} if signer_role else {})},
        "network": {"ip_address": ip_address, "user_agent": user_agent[:500]},
        "steps": {
            "link_created_at": link.created_at.isoformat(),
            "link_first_opened_at": link.first_opened_at and link.first_opened_at.isoformat(),
            # The code that confirmed the browser which signs.
            "code_sent_at": verified_code.created_at.isoformat(),
            "email_verified_at": verified_code.used_at.isoformat(),
            "signed_at": now.isoformat(),
        },
        "consents": [{"key": c.key, "wording": c.wording, "checked": bool(ticked.get(c.key))}
                     for c in consents],
        "documents": [{"id": d.pk, "kind": d.kind, "language": d.language,
                       "pdf_sha256": d.pdf_sha256, "docx_sha256": d.docx_sha256}
                      for d in shown],
    }


def _accept(link, ticked, full_name, ip_address, user_agent, token, session_proof,
            signer_role=""):
    engagement = Engagement.objects.select_for_update().get(pk=link.engagement_id)
    if ConsentRecord.objects.filter(engagement=engagement, kind=ConsentKind.ACCEPTANCE).exists():
        raise AlreadyDone(_("This quote has already been accepted. Your signed copy is "
                            "available on this page."))
    link = AccessLink.objects.get(pk=link.pk)  # fresh: revoked or verified meanwhile?
    if not link.is_usable():
        raise LinkInvalid(_("This link is no longer valid. Ask the sender for a new link."))
    if engagement.status != Status.SENT:
        raise AlreadyDone(_("This quote can no longer be accepted (it is %(status)s).")
                          % {"status": engagement.get_status_display()})
    spec = export_engagement(engagement)
    consents = required_consents(spec, link.language)
    verified_code = session_verified(link, session_proof)
    asks_role = asks_signer_role(engagement)
    _check_complete(verified_code, consents, ticked, full_name,
                    signer_role if asks_role else None)

    now = timezone.now()
    full_name = " ".join(full_name.split())
    signer_role = " ".join((signer_role or "").split()) if asks_role else ""
    shown = list(link.documents.order_by("pk"))
    rights = withdrawal_rights(spec, now)
    payload = {
        "kind": ConsentKind.ACCEPTANCE.value,
        "engagement": {"id": engagement.pk, "number": engagement.number,
                       "title": engagement.title, "owner_id": engagement.owner_id,
                       "total_incl_vat": str(engagement.totals.total_incl_vat)},
        **signer_evidence(engagement, link, verified_code, consents, ticked, shown, full_name,
                          signer_role, ip_address, user_agent, now),
        "terms": spec.get("terms") and {"version": spec["terms"]["version"],
                                        "content_hash": spec["terms"]["content_hash"]},
        "signature": {"statement": SIGNATURE_STATEMENT, "date": now.date().isoformat(),
                      "typed_name": full_name, "language": link.language,
                      **({"role": signer_role} if signer_role else {})},
        "rights": rights,
        "link_id": link.pk,
    }
    record = _append_record(engagement, ConsentKind.ACCEPTANCE, payload, now)
    change_status(engagement, Status.ACCEPTED, note=f"accepted online, record #{record.sequence}",
                  origin=Origin.ACCEPTANCE)
    create_schedule(engagement)  # what is due and when; the status follows the money

    accepted_at = _format_dt(now, link.language)
    shown_pdfs = {d.pk: _read(d.pdf) for d in shown}
    signature = {
        "signer_name": full_name,
        "signer_role": signer_role,
        "signer_email": link.email,
        "statement": SIGNATURE_STATEMENT,
        "signed_on": now.date().isoformat(),
        "accepted_at": accepted_at,
        "record_sequence": record.sequence,
    }
    certificate = issue_document(engagement, "certificate", link.language, extras={
        "acceptance": {
            **signature,
            "ip_address": ip_address,
            "user_agent": user_agent[:200],
            "documents": [{"kind": d.kind, "pages": pack.page_count(shown_pdfs[d.pk]),
                           "sha256": d.pdf_sha256} for d in shown],
            "terms_sha256": (payload["terms"] or {}).get("content_hash", ""),
            # The version's permanent public address, when a live terms page shows it.
            "terms_url": terms_permalink(engagement.terms_version) or "",
            "consents": [c.wording for c in consents],
        }
    })
    pack_pdf = pack.signed_pack(
        [(d.kind, shown_pdfs[d.pk]) for d in shown], _read(certificate.pdf),
        signed_quote=lambda: _read(issue_document(engagement, "quote", link.language, extras={
            "acceptance": signature}).pdf),
        number=engagement.number)
    sealed, sealed_bytes = _store_sealed(
        record, engagement, pack_pdf, f"Accepted by {full_name} ({engagement.number})")
    signed_by = f"{full_name} ({signer_role})" if signer_role else full_name
    _after_acceptance(engagement, link, signed_by, accepted_at, sealed_bytes, rights, token)
    _checkpoint_on_commit()
    return Accepted(record, sealed)


def _checkpoint_on_commit():
    """TERMS_KIT['CHECKPOINT_AFTER_ACCEPTANCE']: anchor the new chain head once committed."""
    if app_settings.CHECKPOINT_AFTER_ACCEPTANCE:
        from ..tasks import make_checkpoint

        transaction.on_commit(make_checkpoint.enqueue)


def _after_acceptance(engagement, link, full_name, accepted_at, sealed_bytes, rights, token):
    """Both parties get the sealed pack by e-mail, once the acceptance is committed."""
    lang = link.language
    context = {"number": engagement.number, "signer_name": full_name,
               "accepted_at": accepted_at, "url": "", "withdraw_url": "",
               "withdrawal_days": rights["withdrawal_days"]}
    client_context = dict(context)
    if token:
        try:
            client_context["url"] = client_url(token)
            if rights["withdrawal"]:
                client_context["withdraw_url"] = client_url(token, "withdraw")
        except TermsKitError:
            pass  # no public address configured (check W003): the e-mail goes without links
        # Card payment, when a provider is set up: the e-mail links to the page's Pay block.
        from .online_payments import payable_online

        payable = payable_online(engagement)
        if payable and client_context["url"]:
            client_context["pay_url"] = client_context["url"] + "#payments"
            client_context["pay_kind"] = payable[0].kind
    filename = f"{engagement.number}-signed.pdf"
    with translation.override(lang):
        subject = _("Quote %(number)s accepted: your signed copy") % {"number": engagement.number}
    identity_email = engagement.identity.email

    def send():
        _send(subject, "accepted", client_context, [link.email], lang,
              attachments=[(filename, sealed_bytes)], engagement=engagement)
        if identity_email:
            _send(subject, "accepted", context, [identity_email], lang,
                  attachments=[(filename, sealed_bytes)], engagement=engagement)

    transaction.on_commit(send)


# --- Withdrawal --------------------------------------------------------------------------

def can_withdraw(engagement, now=None, accepted=_LOOK_UP):
    """Accepted with a withdrawal right (consumer at a distance / off premises, as frozen in
    the acceptance record), within its deadline, and the status allows it. ``accepted`` as for
    accepted_rights."""
    rights = accepted_rights(engagement, accepted)
    if not rights or not rights["withdrawal"]:
        return False
    if not can_transition(engagement.status, Status.WITHDRAWN):
        return False
    deadline = datetime.datetime.fromisoformat(rights["withdrawal_deadline"])
    return (now or timezone.now()) <= deadline


def withdraw(link, *, ip_address, user_agent):
    """The consumer withdraws: a chained record, status "withdrawn", a sealed dated receipt."""
    try:
        with transaction.atomic():
            return _withdraw(link, ip_address, user_agent)
    except IntegrityError as exc:
        raise AlreadyDone(_("Your withdrawal has already been recorded.")) from exc


def _withdraw(link, ip_address, user_agent):
    engagement = Engagement.objects.select_for_update().get(pk=link.engagement_id)
    if engagement.consent_records.filter(kind=ConsentKind.WITHDRAWAL).exists():
        raise AlreadyDone(_("Your withdrawal has already been recorded."))
    if not can_withdraw(engagement):
        raise AlreadyDone(_("This contract can no longer be withdrawn from online: the "
                            "withdrawal period is over or does not apply. Contact the sender."))
    now = timezone.now()
    lang = link.language
    payload = {
        "kind": ConsentKind.WITHDRAWAL.value,
        "engagement": {"id": engagement.pk, "number": engagement.number,
                       "owner_id": engagement.owner_id},
        "client": {"name": engagement.client.name, "email": link.email},
        "network": {"ip_address": ip_address, "user_agent": user_agent[:500]},
        "received_at": now.isoformat(),
        "link_id": link.pk,
    }
    record = _append_record(engagement, ConsentKind.WITHDRAWAL, payload, now)
    change_status(engagement, Status.WITHDRAWN, note=f"withdrawn online, record #{record.sequence}",
                  origin=Origin.ACCEPTANCE)
    received_at = _format_dt(now, lang)
    receipt = pack.withdrawal_receipt_pdf(
        lang, number=engagement.number, title=engagement.title, seller=str(engagement.identity),
        client=engagement.client.name, received_at=received_at, record_hash=record.record_hash,
    )
    sealed, sealed_bytes = _store_sealed(record, engagement, receipt,
                                         f"Withdrawal received ({engagement.number})")
    _checkpoint_on_commit()
    context = {"number": engagement.number, "received_at": received_at, "refund_days": 14}
    with translation.override(lang):
        subject = _("Withdrawal from quote %(number)s received") % {"number": engagement.number}
    recipients = [link.email] + ([engagement.identity.email] if engagement.identity.email else [])
    filename = f"{engagement.number}-withdrawal.pdf"
    transaction.on_commit(lambda: _send(subject, "withdrawn", context, recipients, lang,
                                        attachments=[(filename, sealed_bytes)],
                                        engagement=engagement))
    return sealed
