"""Online bookings from an offer page: the visitor's details become a draft engagement copied
from the offer's quote template, checked, and sent to them through the usual acceptance flow.

One transaction: an offer the checker refuses (an error, or a warning the expert did not
acknowledge on the template) sells nothing and leaves nothing behind. Once the work may start
(the client accepted and the upfront payment or card hold is in place) both sides get a
booking confirmation, once (``confirm_booking``, idempotent).
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..compliance import check_engagement
from ..exceptions import SpecError, TermsKitError
from ..models import Engagement, OfferBooking, WarningAcknowledgement
from ..spec import export_engagement, import_spec
from ..status import Status
from .acceptance import send_to_client
from .compliance_gate import unacknowledged_warnings

# Said to the visitor: the expert's findings are the expert's business, not the visitor's.
NOT_SELLABLE = _("This offer cannot be booked online at the moment. Nothing was recorded; "
                 "please contact the expert directly.")


class BookingRefused(TermsKitError):
    def __init__(self, message, findings=()):
        self.message = str(message)
        self.findings = list(findings)
        super().__init__(self.message)


def _client_spec(details, language):
    business = details["kind"] == "business"
    return {
        "kind": details["kind"], "name": details["name"].strip(),
        "contact_name": (details.get("contact_name") or "").strip() if business else "",
        "email": details["email"].strip(), "phone": (details.get("phone") or "").strip(),
        "language": "en" if language == "en" else "fr",
        "siren": details.get("siren") or "", "vat_number": "", "headcount": None,
        "outside_core_activity": False,
        "address": {"line1": details["address_line1"].strip(), "line2": "",
                    "postcode": details["postcode"].strip(), "city": details["city"].strip(),
                    "country": "FR"},
    }


def _shift(body, template, today, start):
    """Dates of the new quote: issued today, valid as long as the template's, starting on the
    visitor's date (else the template's gap), ending the same time after the start."""
    def moved(value, gap_from):
        return (today + (value - gap_from)).isoformat() if value else None

    body["issue_date"] = today.isoformat()
    body["validity_date"] = moved(template.validity_date, template.issue_date)
    first = start or (today + (template.start_date - template.issue_date)
                      if template.start_date else None)
    body["start_date"] = first.isoformat() if first else None
    if template.end_date and template.start_date and first:
        body["end_date"] = (first + (template.end_date - template.start_date)).isoformat()
    else:
        body["end_date"] = None


def _spec_for(offer, template, details, language, today):
    spec = export_engagement(template)
    spec["client"] = _client_spec(details, language)
    body = spec["engagement"]
    body.pop("number", None)
    body.pop("status", None)
    _shift(body, template, today, details.get("start_date"))
    body["early_start_requested"] = bool(details.get("early_start"))
    if details["kind"] != "business":
        # One template may serve both kinds of client: the fixed 40 EUR recovery indemnity is
        # for businesses only (C. com. D441-5), so a private person's copy leaves it out.
        body["payment"]["recovery_indemnity"] = None
    terms_page = offer.terms_page_for(details["kind"])
    current = terms_page.series().current if terms_page is not None and terms_page.live else None
    if current is not None:
        spec["terms"] = {"title": current.title, "language": current.language,
                         "body": current.body, "version": current.version,
                         "content_hash": current.content_hash}
    return spec


def book_offer(offer, details, *, language="fr", base_url=None, today=None):
    """Create, check and send the visitor's quote; returns the ``SentLink`` (its token opens
    the client page). ``BookingRefused`` when the offer cannot be sold: nothing is created."""
    today = today or timezone.localdate()
    if offer.audience != "both" and details["kind"] != offer.audience:
        raise BookingRefused(_("This offer is not open to this kind of client."))
    with transaction.atomic():
        # The page's expert owns the template and the new engagement, whatever was posted.
        template = (Engagement.objects.select_for_update()
                    .filter(pk=offer.quote_template_id, owner_id=offer.expert_id,
                            status=Status.DRAFT).first())
        if template is None:
            raise BookingRefused(NOT_SELLABLE)
        try:
            engagement = import_spec(_spec_for(offer, template, details, language, today),
                                     offer.expert)
        except SpecError as exc:
            raise BookingRefused(NOT_SELLABLE, exc.errors) from exc
        findings = check_engagement(engagement)
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity == "warning"]
        # A warning counts as read only if the expert acknowledged it on the template.
        pending = unacknowledged_warnings(template, warnings)
        if errors or pending:
            raise BookingRefused(NOT_SELLABLE, errors + pending)
        _acknowledge_from_template(engagement, template, warnings)
        OfferBooking.objects.create(page=offer, page_title=offer.title[:255],
                                    engagement=engagement)
        return send_to_client(engagement, offer.expert, base_url=base_url)


def _acknowledge_from_template(engagement, template, warnings):
    """Copy the expert's acknowledgement of each warning (insert-only, wording of today)."""
    done = {(a.rule_id, a.field): a for a in template.warning_acknowledgements.all()}
    for warning in warnings:
        source = done[(warning.rule_id, warning.field or "")]
        WarningAcknowledgement.objects.create(
            engagement=engagement, rule_id=warning.rule_id, field=warning.field or "",
            message=warning.message, source=warning.source or "",
            acknowledged_by=source.acknowledged_by,
            acknowledged_by_label=source.acknowledged_by_label)


# --- The expert's check of an offer --------------------------------------------------------

def _sample_details(kind, offer, today):
    start = offer.proposed_start(today)
    return {"kind": kind, "name": "Client exemple", "contact_name": "Client exemple",
            "email": "client@example.invalid", "phone": "", "siren": "",
            "address_line1": "1 rue Exemple", "postcode": "75001", "city": "Paris",
            "start_date": start, "early_start": kind == "consumer"}


def offer_kinds(offer):
    return ["consumer", "business"] if offer.audience == "both" else [offer.audience]


def offer_findings(offer, kind, today=None):
    """What the checker says of a booking of ``offer`` by a sample client of ``kind``; the
    trial booking is rolled back, so nothing is kept. None when the template is unusable."""
    today = today or timezone.localdate()
    with transaction.atomic():
        template = (Engagement.objects.filter(pk=offer.quote_template_id,
                                              owner_id=offer.expert_id, status=Status.DRAFT)
                    .first())
        if template is None:
            return None
        try:
            engagement = import_spec(
                _spec_for(offer, template, _sample_details(kind, offer, today), "fr", today),
                offer.expert)
        except SpecError:
            return None
        findings = check_engagement(engagement)
        transaction.set_rollback(True)
    return findings


def acknowledge_offer_warnings(offer, user):
    """The expert read the warnings a booking would raise, for each kind of client the offer
    is open to: acknowledged on the template (insert-only), so bookings may go through."""
    from .drafts import acknowledge_warnings

    template = Engagement.objects.get(pk=offer.quote_template_id, owner_id=offer.expert_id)
    done = []
    for kind in offer_kinds(offer):
        warnings = [f for f in offer_findings(offer, kind) or () if f.severity == "warning"]
        done += acknowledge_warnings(template, warnings, user)
    return done


# --- Confirmation ---------------------------------------------------------------------------

def confirm_booking(engagement_id):
    """E-mail the booking confirmation to the client and to the expert, once each (the
    idempotency key of the mail adapter). Does nothing for an engagement not booked online."""
    from django.template.loader import render_to_string

    from .mail import default_from_email, send_recorded

    booking = (OfferBooking.objects.select_related("engagement__client",
                                                   "engagement__identity")
               .filter(engagement_id=engagement_id).first())
    if booking is None:
        return []
    engagement = booking.engagement
    client, identity = engagement.client, engagement.identity
    sent = []
    for side, to, lang in (("client", client.email, client.language or engagement.language),
                           ("expert", identity.email, engagement.language)):
        if not to:
            continue
        with translation.override(lang):
            subject = _("Booking confirmed: %(offer)s (%(number)s)") % {
                "offer": booking.page_title, "number": engagement.number}
            body = render_to_string(f"terms_kit/email/booking_confirmed_{side}.txt", {
                "offer": booking.page_title, "number": engagement.number,
                "seller": str(identity), "client": client.contact_name or client.name,
                "client_email": client.email, "start_date": engagement.start_date,
                "title": engagement.title})
        sent.append(send_recorded(
            owner=engagement.owner, engagement=engagement, to=to, subject=subject, body=body,
            language=lang, kind=f"booking_confirmed_{side}", related=booking,
            idempotency_key=f"terms_kit:booking:{booking.pk}:{side}",
            from_email=default_from_email(),
            reply_to=(identity.email if side == "client" else client.email) or None))
    return sent
