"""Re-consent: asking the clients of accepted engagements to accept a new terms version.

When a published version changes a material clause (services/clauses.py
``reconsent_engagements``), the expert sends each listed client a personal link. The link
goes through the ordinary acceptance steps (e-mail code, one statement, typed name) and
the answer is a new record of the consent chain, kind ``terms_reconsent``, with its own
sealed PDF: the first acceptance stays as it was. Once accepted, the engagement refers to
the new version for the future; a client who declines or never answers keeps the old one.
"""

import datetime
import json
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..acceptance import pack
from ..acceptance.consents import reconsent_consents
from ..conf import app_settings
from ..exceptions import AlreadyDone, LinkInvalid, TermsKitError
from ..models import (
    AccessLink,
    ConsentKind,
    Engagement,
    ReconsentRequest,
    ReconsentState,
)
from ..models.pages import terms_permalink
from . import acceptance
from .clauses import ACTIVE_STATUSES, material_changes, reconsent_engagements
from .documents import issue_document


@dataclass(frozen=True)
class ReconsentRow:
    """One line of the expert's list: the engagement and where its client stands."""

    engagement: Engagement
    request: ReconsentRequest | None

    @property
    def state(self):
        return self.request.state if self.request else ""

    @property
    def state_label(self):
        return self.request.get_state_display() if self.request else _("Not asked yet")


def reconsent_rows(new):
    """The listed engagements (still on the replaced version) and those already asked about
    ``new`` (an accepted one has moved to it), each with its request, by number."""
    asked = {request.engagement_id: request for request in ReconsentRequest.objects.filter(
        terms_version=new).select_related("engagement", "engagement__client")}
    engagements = {engagement.pk: engagement for engagement in reconsent_engagements(new)}
    for request in asked.values():
        engagements.setdefault(request.engagement_id, request.engagement)
    ordered = sorted(engagements.values(), key=lambda e: (e.number, e.pk))
    return [ReconsentRow(engagement, asked.get(engagement.pk)) for engagement in ordered]


@dataclass(frozen=True)
class SentReconsent:
    request: ReconsentRequest
    link: AccessLink | None  # None: nothing sent (a usable link is already waiting, or answered)
    token: str = ""
    url: str = ""


def send_reconsent(new, engagement, user, base_url=None):
    """Send ``engagement``'s client a link to accept ``new``. Only an engagement of the
    re-consent list can be asked; asking again while a link is waiting (or once the client
    has answered) sends nothing: one pending link per engagement and version."""
    try:
        with transaction.atomic():
            return _send(new, engagement, user, base_url)
    except IntegrityError:
        # A concurrent send created the request first: it has sent the link.
        request = ReconsentRequest.objects.get(engagement=engagement, terms_version=new)
        return SentReconsent(request, None)


def _send(new, engagement, user, base_url):
    locked = Engagement.objects.select_for_update().select_related(
        "client", "identity").get(pk=engagement.pk)
    request = ReconsentRequest.objects.filter(engagement=locked, terms_version=new).first()
    if request is not None and request.state != ReconsentState.PENDING:
        return SentReconsent(request, None)
    if request is None:
        if not reconsent_engagements(new).filter(pk=locked.pk).exists():
            raise TermsKitError(_(
                "Quote %(number)s is not on the list of clients to ask again for %(terms)s: "
                "only an active engagement that accepted the replaced version, when a material "
                "clause changed, can be sent this link.") % {
                "number": locked.display_number, "terms": new})
        request = ReconsentRequest.objects.create(
            engagement=locked, terms_version=new, previous_version=locked.terms_version,
            created_by=user)
    elif request.links.filter(revoked_at__isnull=True,
                              expires_at__gt=timezone.now()).exists():
        return SentReconsent(request, None)
    return _new_link(request, locked, user, base_url)


def _new_link(request, engagement, user, base_url):
    now = timezone.now()
    AccessLink.objects.filter(reconsent=request, revoked_at__isnull=True).update(revoked_at=now)
    lang = engagement.client.language or engagement.language or "fr"
    token = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(
        engagement=engagement, reconsent=request, token_sha256=acceptance.token_hash(token),
        language=lang, email=engagement.client.email, created_at=now, created_by=user,
        expires_at=now + datetime.timedelta(days=app_settings.CLIENT_LINK_DAYS))
    link.documents.set([_new_terms_document(engagement, request.terms_version, lang)])
    url = acceptance.client_url(token, base_url=base_url)
    identity = engagement.identity
    context = {"client_name": engagement.client.contact_name or engagement.client.name,
               "seller": str(identity), "number": engagement.number,
               "version": request.terms_version.version,
               "previous": request.previous_version.version,
               "changes": ", ".join(change_titles(request.terms_version)), "url": url,
               "expires_at": acceptance._format_dt(link.expires_at, lang)}
    with translation.override(lang):
        subject = _("New terms of sale from %(seller)s for quote %(number)s") % {
            "seller": identity, "number": engagement.number}
    transaction.on_commit(lambda: acceptance._send(
        subject, "reconsent", context, [link.email], lang, reply_to=identity.email or None,
        engagement=engagement, related=request))
    return SentReconsent(request, link, token, url)


def _new_terms_document(engagement, terms, lang):
    """The new version's terms as the engagement will cite them: issued from the engagement
    with the new version in place, without saving it (nothing changes before the answer)."""
    preview = Engagement.objects.select_related("client", "identity").get(pk=engagement.pk)
    preview.terms_version = terms
    return issue_document(preview, "terms", lang)


def send_to_all(new, user, base_url=None):
    """Send every listed client not asked yet (or whose link expired); returns what was sent."""
    sent = []
    for row in reconsent_rows(new):
        if row.request is None or row.state == ReconsentState.PENDING:
            result = send_reconsent(new, row.engagement, user, base_url)
            if result.link is not None:
                sent.append(result)
    return sent


def change_titles(new):
    return [change.title for change in material_changes(new)]


# --- The client's answer ---------------------------------------------------------------------

def consents_for(link):
    request = link.reconsent
    return reconsent_consents(request.terms_version, request.previous_version,
                              link.engagement.number, link.language)


def _check_answerable(request, engagement, link):
    if request.state == ReconsentState.ACCEPTED:
        raise AlreadyDone(_("You have already accepted these terms. Your signed copy is "
                            "available on this page."))
    if request.state == ReconsentState.DECLINED:
        raise AlreadyDone(_("You have declined these terms: the terms you accepted with your "
                            "quote still apply. Contact the sender to change your answer."))
    if not AccessLink.objects.get(pk=link.pk).is_usable():
        raise LinkInvalid(_("This link is no longer valid. Ask the sender for a new link."))
    if engagement.status not in ACTIVE_STATUSES or (
            engagement.terms_version_id != request.previous_version_id):
        raise AlreadyDone(_("These terms can no longer be accepted for this quote. Contact "
                            "the sender."))


def accept_reconsent(link, *, ticked, full_name, ip_address, user_agent, token=None,
                     session_proof=None, signer_role=""):
    """The client accepts the new version: a ``terms_reconsent`` record, a sealed PDF, and
    the engagement refers to the new version from now on. Twice: AlreadyDone, nothing more."""
    try:
        with acceptance.recorded_whole_or_not_at_all(), transaction.atomic():
            return _accept(link, ticked, full_name, ip_address, user_agent, token,
                           session_proof, signer_role)
    except IntegrityError as exc:
        raise AlreadyDone(_("You have already accepted these terms.")) from exc


def _accept(link, ticked, full_name, ip_address, user_agent, token, session_proof,
            signer_role):
    # The engagement row first, as every acceptance does: concurrent clicks wait here.
    engagement = Engagement.objects.select_for_update().select_related(
        "client", "identity").get(pk=link.engagement_id)
    request = ReconsentRequest.objects.select_for_update().select_related(
        "terms_version", "previous_version").get(pk=link.reconsent_id)
    _check_answerable(request, engagement, link)
    link = AccessLink.objects.get(pk=link.pk)
    consents = consents_for(link)
    verified_code = acceptance.session_verified(link, session_proof)
    asks_role = acceptance.asks_signer_role(engagement)
    acceptance._check_complete(verified_code, consents, ticked, full_name,
                               signer_role if asks_role else None)
    signer_role = " ".join((signer_role or "").split()) if asks_role else ""
    full_name = " ".join(full_name.split())
    now = timezone.now()
    new, previous = request.terms_version, request.previous_version
    shown = list(link.documents.order_by("pk"))
    changes = change_titles(new)
    payload = {
        "kind": ConsentKind.TERMS_RECONSENT.value,
        "engagement": {"id": engagement.pk, "number": engagement.number,
                       "owner_id": engagement.owner_id},
        "terms": {"id": new.pk, "version": new.version, "content_hash": new.content_hash},
        "replaces": {"id": previous.pk, "version": previous.version,
                     "content_hash": previous.content_hash},
        "material_changes": changes,
        **acceptance.signer_evidence(engagement, link, verified_code, consents, ticked, shown,
                                     full_name, signer_role, ip_address, user_agent, now),
        "signature": {"statement": acceptance.SIGNATURE_STATEMENT,
                      "date": now.date().isoformat(), "typed_name": full_name,
                      "language": link.language, **({"role": signer_role} if signer_role else {})},
        "reconsent_id": request.pk,
        "link_id": link.pk,
    }
    record = acceptance._append_record(engagement, ConsentKind.TERMS_RECONSENT, payload, now)
    accepted_at = acceptance._format_dt(now, link.language)
    signed_by = f"{full_name} ({signer_role})" if signer_role else full_name
    certificate = pack.reconsent_pdf(
        link.language, engagement_number=engagement.number, version=str(new),
        previous_version=str(previous), changes=", ".join(changes) or "-",
        seller=str(engagement.identity), client=engagement.client.name,
        signer=f"{signed_by} — {acceptance.SIGNATURE_STATEMENT}", email=link.email,
        accepted_at=accepted_at, ip_address=ip_address, user_agent=user_agent[:200],
        consent=consents[0].wording,
        documents=" · ".join(f"{d.kind} PDF {d.pdf_sha256}" for d in shown),
        record_hash=record.record_hash, terms_url=terms_permalink(new) or "")
    pack_pdf = pack.merge_pdfs([acceptance._read(d.pdf) for d in shown] + [certificate])
    sealed, sealed_bytes = acceptance._store_sealed(
        record, engagement, pack_pdf,
        f"Terms {new} accepted by {full_name} ({engagement.number})")
    request.state, request.answered_at = ReconsentState.ACCEPTED, now
    request.record, request.sealed = record, sealed
    request.save(update_fields=["state", "answered_at", "record", "sealed"])
    # For the future only: documents issued from now on cite the new version. The version
    # accepted first stays in the first acceptance record (terms_history).
    Engagement.objects.filter(pk=engagement.pk).update(terms_version=new)
    AccessLink.objects.filter(reconsent=request, revoked_at__isnull=True).exclude(
        pk=link.pk).update(revoked_at=now)
    _after(engagement, link, request, signed_by, accepted_at, sealed_bytes, token)
    acceptance._checkpoint_on_commit()
    return request


def _after(engagement, link, request, signed_by, accepted_at, sealed_bytes, token):
    lang = link.language
    context = {"number": engagement.number, "version": request.terms_version.version,
               "signer_name": signed_by, "accepted_at": accepted_at, "url": ""}
    client_context = dict(context)
    if token:
        try:
            client_context["url"] = acceptance.client_url(token)
        except TermsKitError:
            pass  # no public address configured: the e-mail goes without the link
    filename = f"{engagement.number}-terms-v{request.terms_version.version}-signed.pdf"
    with translation.override(lang):
        subject = _("New terms of sale accepted for quote %(number)s: your signed copy") % {
            "number": engagement.number}
    expert_email = engagement.identity.email

    def send():
        acceptance._send(subject, "reconsent_accepted", client_context, [link.email], lang,
                         attachments=[(filename, sealed_bytes)], engagement=engagement,
                         related=request)
        if expert_email:
            acceptance._send(subject, "reconsent_accepted", context, [expert_email], lang,
                             attachments=[(filename, sealed_bytes)], engagement=engagement,
                             related=request)

    transaction.on_commit(send)


def decline_reconsent(link):
    """The client keeps the terms they accepted: the request is closed as declined (its link
    still opens, to show the answer). Nothing about the contract changes: no record is
    chained."""
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=link.engagement_id)
        request = ReconsentRequest.objects.select_for_update().get(pk=link.reconsent_id)
        _check_answerable(request, engagement, link)
        now = timezone.now()
        request.state, request.answered_at = ReconsentState.DECLINED, now
        request.save(update_fields=["state", "answered_at"])
    return request


# --- History ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TermsAccepted:
    version: int | None
    content_hash: str
    accepted_at: datetime.datetime
    record_sequence: int
    kind: str


def terms_history(engagement):
    """Which terms version the client accepted when, read from the consent chain (the
    first acceptance, then each re-consent), oldest first."""
    history = []
    for record in engagement.consent_records.filter(
            kind__in=[ConsentKind.ACCEPTANCE, ConsentKind.TERMS_RECONSENT]).order_by("sequence"):
        terms = json.loads(record.payload).get("terms") or {}
        if terms:
            history.append(TermsAccepted(terms.get("version"), terms.get("content_hash", ""),
                                         record.created_at, record.sequence, record.kind))
    return history

