"""The client's pages. Thin: each view resolves the link, calls a service, renders or redirects.

Every page is reached through the client's personal link; what a link shows is limited to
its own engagement and the documents issued for it. Error pages name no expert.
"""

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from ..admin.documents import CONTENT_TYPES
from ..conf import app_settings
from ..exceptions import AcceptanceError, IncompleteAcceptance, LinkInvalid, NotRecorded
from ..models import ConsentKind, SealedFile
from ..services import acceptance as service
from ..storage import download_response
from . import first_view_cache, presentation
from .csp import content_security_policy
from .ratelimit import client_ip, link_rate_limited, rate_limited
from .summary_cache import client_summary

ERRORS = {
    403: (_("Request refused"), _("The page was open too long or in another window. Reload it "
                                  "and try again.")),
    404: (_("Not found"), _("There is nothing at this address.")),
    429: (_("Too many requests"), _("Too many attempts from your connection. Wait a few "
                                    "minutes, then try again.")),
}
# Room for the multipart envelope and the CSRF field around the PDF itself.
FORM_OVERHEAD_BYTES = 64 * 1024


def error_page(request, status, message=None, title=None):
    default_title, default_message = ERRORS.get(status, ERRORS[404])
    return render(request, "terms_kit/client/error.html",
                  {"title": title or default_title, "message": message or default_message},
                  status=status)


@content_security_policy
def csrf_failure(request, reason=""):
    """Settings CSRF_FAILURE_VIEW: a plain message, no technical detail."""
    return error_page(request, 403)


def with_link(view):
    """Resolve the token into the link and speak the client's language; refuse bad links.
    Every answer, error pages included, carries the client pages' CSP."""

    @content_security_policy
    def wrapper(request, token, *args, **kwargs):
        try:
            link = service.resolve_link(token)
        except LinkInvalid as exc:
            return error_page(request, 410, str(exc), _("Link not valid"))
        with translation.override(link.language):
            return view(request, token, link, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _back(token):
    return redirect("terms_kit:client_review", token)


def _proof_key(link):
    return f"terms_kit_proof_{link.pk}"


def _session_proof(request, link):
    """The secret this browser got when it typed the e-mail code (None if it has not)."""
    return request.session.get(_proof_key(link))


@require_http_methods(["GET"])
@with_link
@link_rate_limited("client", methods=("GET",))
def review(request, token, link):
    if link.plan_id:
        return _plan_page(request, token, link)
    if link.reconsent_id:
        return _reconsent_page(request, token, link)
    proof = _session_proof(request, link)
    if first_view_cache.applies(request, link, proof):
        return first_view_cache.response(
            request, token, link,
            lambda **markers: _render_review(request, link, proof, **markers).content.decode())
    return _render_review(request, link, proof, token=token)


def _render_review(request, link, proof, *, token, csrf_token=None):
    """The review page; ``csrf_token`` only to render a marker in its place (first_view_cache)."""
    engagement = link.engagement
    accepted, withdrawn = _acceptance_and_withdrawal(engagement)
    cached = client_summary(link, accepted)
    context = {
        "token": token,
        "link": link,
        "engagement": engagement,
        "summary": cached["summary"],
        "quote_html": cached["quote_html"],
        "documents": cached["documents"],
        "consents": cached["consents"],
        "accepted": accepted,
        "withdrawn": withdrawn,
        "can_withdraw": service.can_withdraw(engagement, accepted=accepted),
        "session_verified": service.session_verified(link, proof),
        "today": timezone.localdate(),
        "errors": request.session.pop("terms_kit_errors", {}),
        "full_name": request.session.pop("terms_kit_full_name", ""),
        "ask_role": service.asks_signer_role(engagement),
        "signer_role": request.session.pop("terms_kit_signer_role", ""),
    }
    if csrf_token is not None:
        # Wins over the context processor's value: {% csrf_token %} prints the marker.
        context["csrf_token"] = csrf_token
    if accepted is not None:
        from ..payments.presentation import client_money

        context["money"] = client_money(engagement, link.language)
    return render(request, "terms_kit/client/review.html", context)


def _acceptance_and_withdrawal(engagement):
    """The engagement's first acceptance and first withdrawal records (or None), one query."""
    first = {}
    for record in engagement.consent_records.filter(
            kind__in=(ConsentKind.ACCEPTANCE, ConsentKind.WITHDRAWAL)).order_by("sequence"):
        first.setdefault(record.kind, record)
    return first.get(ConsentKind.ACCEPTANCE), first.get(ConsentKind.WITHDRAWAL)


def _plan_page(request, token, link):
    """A link that carries an instalment plan: the plan, its documents, then the same e-mail
    code and signature steps as a quote (services/plans.py)."""
    from ..documents.formatting import date as format_date
    from ..documents.formatting import money as format_money
    from ..models import PlanAcceptance
    from ..services import plans

    plan, lang = link.plan, link.language
    rows, next_due = plans.client_rows(plan, lang)
    if plan.state not in ("accepted", "kept"):
        next_due = None
    invoices = [{"number": c.invoice.number, "due_date": format_date(c.invoice.due_date, lang),
                 "outstanding": format_money(c.outstanding, lang)}
                for c in plan.covered.select_related("invoice")]
    context = {
        "token": token, "link": link, "plan": plan, "engagement": link.engagement,
        "seller": link.engagement.identity, "debt": format_money(plan.debt, lang),
        "rows": rows, "next_due": next_due, "invoices": invoices,
        "documents": link.documents.order_by("pk"),
        "consents": plans.plan_consents(plan, lang),
        "accepted": PlanAcceptance.objects.filter(plan=plan).first(),
        "session_verified": service.session_verified(link, _session_proof(request, link)),
        "today": timezone.localdate(),
        "errors": request.session.pop("terms_kit_errors", {}),
        "full_name": request.session.pop("terms_kit_full_name", ""),
        "ask_role": service.asks_signer_role(link.engagement),
        "signer_role": request.session.pop("terms_kit_signer_role", ""),
    }
    return render(request, "terms_kit/client/plan.html", context)


def _reconsent_page(request, token, link):
    """A link that asks for a new terms version (services/reconsent.py): what changed, the
    new terms, then the same e-mail code and signature steps, or "keep my current terms"."""
    from ..services import clauses, reconsent

    ask = link.reconsent
    context = {
        "token": token, "link": link, "ask": ask, "engagement": link.engagement,
        "seller": link.engagement.identity,
        "changes": clauses.material_changes(ask.terms_version),
        "documents": link.documents.order_by("pk"),
        "consents": reconsent.consents_for(link),
        "session_verified": service.session_verified(link, _session_proof(request, link)),
        "today": timezone.localdate(),
        "errors": request.session.pop("terms_kit_errors", {}),
        "full_name": request.session.pop("terms_kit_full_name", ""),
        "ask_role": service.asks_signer_role(link.engagement),
        "signer_role": request.session.pop("terms_kit_signer_role", ""),
    }
    return render(request, "terms_kit/client/reconsent.html", context)


@require_POST
@with_link
@link_rate_limited("accept")
def decline_view(request, token, link):
    """The client keeps the terms they accepted (a re-consent link only)."""
    from ..services import reconsent

    if not link.reconsent_id:
        return error_page(request, 404)
    try:
        reconsent.decline_reconsent(link)
    except AcceptanceError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Your answer is recorded: you keep the terms you accepted "
                                    "with your quote."))
    return _back(token)


@require_POST
@with_link
@link_rate_limited("code")
def request_code(request, token, link):
    if service.send_email_code(link, _session_proof(request, link)) is None:
        messages.info(request, _("Your e-mail address is already confirmed."))
    else:
        messages.info(request, _("A code has been sent to %(email)s.") % {
            "email": presentation.masked_email(link.email)})
    return _back(token)


@require_POST
@with_link
@link_rate_limited("code")
def verify_code(request, token, link):
    try:
        proof = service.verify_email_code(link, request.POST.get("code", ""))
    except AcceptanceError as exc:
        messages.error(request, str(exc))
    else:
        # A new session key too: a session id fixed before the code is worth nothing after.
        request.session.cycle_key()
        request.session[_proof_key(link)] = proof
        messages.success(request, _("Your e-mail address is confirmed."))
    return _back(token)


@require_POST
@with_link
@link_rate_limited("accept")
def accept_view(request, token, link):
    # A link that carries an instalment plan accepts the plan, through the same steps.
    if link.plan_id:
        from ..services import plans

        consents = plans.plan_consents(link.plan, link.language)
        accept, done = plans.accept_plan, _("Thank you: the instalment plan is accepted. Your "
                                            "signed copy has been sent to you by e-mail.")
    elif link.reconsent_id:
        from ..services import reconsent

        consents = reconsent.consents_for(link)
        accept, done = reconsent.accept_reconsent, _("Thank you: the new terms are accepted. "
                                                     "Your signed copy has been sent to you by "
                                                     "e-mail.")
    else:
        consents = service.consents_for(link)
        accept, done = service.accept, _("Thank you: the quote is accepted. Your signed copy "
                                         "has been sent to you by e-mail.")
    ticked = {c.key: request.POST.get(f"consent_{c.key}") == "on" for c in consents}
    full_name = request.POST.get("full_name", "")
    signer_role = request.POST.get("signer_role", "")
    try:
        accept(link, ticked=ticked, full_name=full_name, signer_role=signer_role,
               ip_address=client_ip(request),
               user_agent=request.META.get("HTTP_USER_AGENT", ""), token=token,
               session_proof=_session_proof(request, link))
    except IncompleteAcceptance as exc:
        request.session["terms_kit_errors"] = {k: str(v) for k, v in exc.errors.items()}
        request.session["terms_kit_full_name"] = full_name[:200]
        request.session["terms_kit_signer_role"] = signer_role[:120]
        messages.error(request, _("Nothing was signed: complete the highlighted items."))
    except NotRecorded as exc:
        # Answered here, not by a redirect: the page behind it may need the failed part.
        return error_page(request, 503, str(exc), _("Nothing was signed"))
    except AcceptanceError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, done)
    return _back(token)


@with_link
@link_rate_limited("client", methods=("GET",))
def document_download(request, token, link, pk, fmt):
    # Only the files this very link showed: another engagement's id is simply not found.
    document = link.documents.filter(pk=pk).first()
    if document is None or fmt not in CONTENT_TYPES:
        return error_page(request, 404)
    return _file(getattr(document, fmt), CONTENT_TYPES[fmt],
                 f"{document.kind}_{link.engagement.number}_{document.language}.{fmt}")


@with_link
@link_rate_limited("client", methods=("GET",))
def sealed_download(request, token, link, kind):
    if link.plan_id:
        # A plan's link serves that plan's signed pack only.
        acceptance = getattr(link.plan, "acceptance", None) if kind == "plan_acceptance" else None
        sealed = acceptance.sealed if acceptance is not None else None
    elif link.reconsent_id:
        # A re-consent link serves that answer's sealed PDF only.
        ask = link.reconsent
        sealed = ask.sealed if kind == ConsentKind.TERMS_RECONSENT else None
    elif kind in (ConsentKind.PLAN_ACCEPTANCE, ConsentKind.TERMS_RECONSENT):
        sealed = None
    else:
        sealed = SealedFile.objects.filter(engagement=link.engagement, record__kind=kind).first()
    if sealed is None:
        return error_page(request, 404)
    return _file(sealed.pdf, "application/pdf", f"{link.engagement.number}-{kind}-sealed.pdf")


def _file(field, content_type, filename):
    return download_response(field, content_type=content_type, filename=filename)


@require_http_methods(["GET", "POST"])
@with_link
@link_rate_limited("accept")
def withdraw_view(request, token, link):
    """Two steps (L221-21): this page, then the "confirm the withdrawal" button."""
    if link.plan_id or link.reconsent_id:
        return error_page(request, 404)  # a plan's (or new terms') link is not the contract's
    engagement = link.engagement
    if request.method == "POST":
        try:
            service.withdraw(link, ip_address=client_ip(request),
                             user_agent=request.META.get("HTTP_USER_AGENT", ""))
        except AcceptanceError as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, _("Your withdrawal is recorded. The dated acknowledgement "
                                        "has been sent to you by e-mail."))
        return _back(token)
    return render(request, "terms_kit/client/withdraw.html", {
        "token": token, "engagement": engagement,
        "can_withdraw": service.can_withdraw(engagement),
    })


class LimitedUpload(FileUploadHandler):
    """Counts the bytes of uploaded files as they arrive and stops reading beyond ``limit``.

    Placed first, it passes each chunk on to Django's own handlers (memory, then a
    temporary file); past the limit the upload stops: nothing more is read or stored.
    """

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def _too_large(request, limit):
    return render(request, "terms_kit/client/verify.html", {"result": {"error": _(
        "The file is too large: %(size)s MB at most. A document of this site is much smaller; "
        "check that you chose the right file.") % {"size": round(limit / 1024 / 1024, 1)}}},
        status=413)


@content_security_policy
@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@rate_limited("verify")
@require_http_methods(["GET", "POST"])
def verify_seal_view(request):
    """Public: is this PDF a sealed document of this site? Says which and when, nothing more."""
    limit = app_settings.VERIFY_MAX_UPLOAD_BYTES
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + FORM_OVERHEAD_BYTES:
            return _too_large(request, limit)  # refused before reading a byte of the body
        handler = LimitedUpload(request, limit)
        request.upload_handlers.insert(0, handler)
        return _verify_seal(request, handler, limit)
    return _verify_seal(request, None, limit)


@csrf_protect
def _verify_seal(request, handler, limit):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if handler is not None and handler.exceeded:
            return _too_large(request, limit)
        if upload is None:
            result = {"error": _("Choose a PDF file to check.")}
        else:
            result = presentation.seal_verdict(upload.read())
    return render(request, "terms_kit/client/verify.html", {"result": result})
