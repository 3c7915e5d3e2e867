"""Wizard views: load the draft (the expert's own, else 404), validate, call a service."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..exceptions import DraftConflict, NotADraft, SendBlocked
from ..models import BusinessIdentity, Client, Engagement, WizardState
from ..money import compute_totals
from ..permissions import policy_for
from ..services import drafts
from ..status import Status
from . import conditions, integrations
from .steps import (
    NEW_DRAFT_STEPS,
    applicable_steps,
    first_open_step,
    get_step,
    group_findings,
    next_step,
    reachable,
)

logger = logging.getLogger(__name__)


def require_permission(user, action, *models):
    """The wizard writes these models: without the permission, a 403 (as Wagtail's views)."""
    for model in models:
        if not policy_for(model).user_has_permission(user, action):
            raise PermissionDenied


def editable_draft(user, pk, queryset):
    """One of the user's engagements they may change; another expert's is a 404."""
    require_permission(user, "change", Engagement)
    allowed = policy_for(Engagement).instances_user_has_permission_for(user, "change")
    return get_object_or_404(queryset.filter(pk__in=allowed), pk=pk)


def step_url(engagement, key):
    if engagement is None:
        return reverse("terms_kit_wizard_new")
    return reverse("terms_kit_wizard_step", args=[engagement.pk, key])


class WizardPageMixin(WagtailAdminTemplateMixin):
    header_icon = "form"
    page_title = gettext_lazy("Engagement wizard")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("terms_kit_engagement:index"), "label": _("Engagements")},
            {"url": reverse("terms_kit_wizard_index"), "label": _("Wizard")},
            {"url": "", "label": self.get_page_title()},
        ]


class WizardIndexView(WizardPageMixin, TemplateView):
    """Start a new engagement, or continue one of the expert's drafts."""

    template_name = "terms_kit/wizard/index.html"
    page_title = gettext_lazy("Engagement wizard")

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items()[:-1]

    def dispatch(self, request, *args, **kwargs):
        require_permission(request.user, "change", Engagement)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        drafts_list = (
            Engagement.objects.owned_by(self.request.user)
            .filter(status=Status.DRAFT)
            .select_related("client", "wizard_state")
            .order_by("-updated_at")
        )
        return super().get_context_data(drafts=drafts_list, **kwargs)


class StepView(WizardPageMixin, View):
    """One wizard step. Without ``pk`` it serves the steps that come before the draft exists."""

    template_name = "terms_kit/wizard/step.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.engagement = None
        self.identity = None
        if "pk" in kwargs:
            self.engagement = editable_draft(
                request.user, kwargs["pk"],
                Engagement.objects.select_related("identity", "client"))
        else:
            # A new draft creates an engagement, and may create an identity and a client.
            require_permission(request.user, "add", Engagement, BusinessIdentity, Client)
        self.start_from = None  # an existing client chosen on the client step of a new draft
        self.identity_from = None  # the identity chosen on the first step of a new draft
        if "pk" not in kwargs and "identity_pk" not in kwargs:
            chosen = request.POST.get("identity_from") or request.GET.get("identity_from")
            if chosen == "new":
                self.identity_from = BusinessIdentity(owner=request.user)
            elif chosen:
                self.identity_from = get_object_or_404(
                    BusinessIdentity.objects.filter(owner=request.user), pk=chosen)
        if "identity_pk" in kwargs:
            self.identity = get_object_or_404(
                BusinessIdentity.objects.filter(owner=request.user), pk=kwargs["identity_pk"]
            )
            client_pk = request.POST.get("start_from") or request.GET.get("start_from")
            if client_pk:
                self.start_from = get_object_or_404(
                    Client.objects.filter(owner=request.user), pk=client_pk
                )
        self.step = get_step(kwargs.get("step", "identity"))
        if self.step is None or self.step.form_class is None:
            raise Http404
        state = WizardState.objects.filter(engagement=self.engagement).first()
        self.completed = state.completed_steps if state else []

    def dispatch(self, request, *args, **kwargs):
        if self.engagement is not None:
            if self.step not in applicable_steps(self.engagement):
                raise Http404  # a question that does not apply is not asked, not even by URL
            if self.engagement.status != Status.DRAFT:
                messages.warning(request, _("This quote has been sent: it can no longer change."))
                return redirect("terms_kit_engagement:inspect", self.engagement.pk)
            if not reachable(self.engagement, self.completed, self.step.key):
                return redirect(step_url(self.engagement, first_open_step(
                    self.engagement, self.completed)))
        elif self.step.key not in NEW_DRAFT_STEPS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.step.title

    def get_page_subtitle(self):
        return self.engagement.title if self.engagement and self.engagement.title else ""

    def make_form(self, data=None):
        extra = {"start_from": self.start_from} if self.identity else {}
        if self.engagement is None and self.step.key == "identity":
            extra = {"identity": self.identity_from}
        return self.step.form_class(data, engagement=self.engagement, owner=self.request.user,
                                    **extra)

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        action = request.POST.get("lines_action")
        if self.step.key == "price" and action in ("add", "recompute"):
            # Without JavaScript: "Add a line" and "Update the totals" re-show the step with
            # the lines typed so far (and one more row); nothing is saved until "Save".
            data = request.POST.copy()
            if action == "add":
                add_empty_row(data, self.make_form().lines)
            return self.render(self.make_form(data))
        form = self.make_form(request.POST)
        if not form.all_valid():
            messages.error(request, _("The step was not saved: correct the fields marked below."))
            return self.render(form, status=400)
        try:
            if self.engagement is None and self.step.key == "identity":
                identity = drafts.save_identity(request.user, form.step_data()["identity"],
                                                form.instance.pk)
                messages.success(request, _("Saved: %(step)s.") % {"step": self.step.title})
                return redirect("terms_kit_wizard_new_client", identity.pk)
            if self.engagement is None:
                engagement = drafts.create_draft(request.user, self.identity, form.step_data(),
                                                 self.start_from)
            else:
                engagement = drafts.save_step(
                    self.engagement, self.step.key, form.step_data(),
                    int(request.POST.get("lock_version") or -1),
                )
        except DraftConflict as conflict:
            messages.error(request, _(
                "Not saved: this draft was changed in another tab or window after you opened "
                "this page (your page shows version %(mine)s, the draft is at version "
                "%(stored)s). Nothing was overwritten. Your entries are still shown below: "
                "copy what you need, reload the step, and enter them again.") % {
                "mine": conflict.expected_version, "stored": conflict.engagement.lock_version})
            return self.render(form, status=409)
        except NotADraft:
            messages.error(request, _("This quote has been sent: it can no longer change."))
            return redirect("terms_kit_engagement:inspect", self.engagement.pk)
        messages.success(request, _("Saved: %(step)s.") % {"step": self.step.title})
        return redirect(step_url(engagement, next_step(engagement, self.step.key)))

    def render(self, form, status=200):
        panel = panel_context(self.engagement, self.step, self.completed)
        if self.engagement is None and self.identity is not None:
            panel.update(identity_panel(self.identity))
        context = self.get_context_data(form=form, **panel)
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get_context_data(self, **kwargs):
        context = dict(
            step=self.step, engagement=self.engagement,
            steps_nav=steps_nav(self.engagement, self.completed, self.step.key),
            lock_version=self.engagement.lock_version if self.engagement else "",
            show_when=self.step.form_class.show_when,
            start_from=self.start_from,
            known_clients=(Client.objects.filter(owner=self.request.user)
                           if self.identity else Client.objects.none()),
            known_identities=(
                BusinessIdentity.objects.filter(owner=self.request.user)
                if self.engagement is None and self.step.key == "identity"
                else BusinessIdentity.objects.none()),
            identity_from=self.identity_from,
            withdrawal=self.engagement and conditions.has_withdrawal_right(self.engagement),
            franchise=self.engagement and self.engagement.identity.under_vat_franchise,
            price_totals=(kwargs["form"].totals() if self.step.key == "price" and "form" in kwargs
                          else None),
        )
        return super().get_context_data(**{**context, **kwargs})


def add_empty_row(data, formset):
    """One more row in posted formset ``data``, holding the defaults a new row shows."""
    prefix = formset.prefix
    count = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    if count >= formset.max_num:
        return
    data[f"{prefix}-TOTAL_FORMS"] = str(count + 1)
    empty = formset.empty_form
    for name in empty.fields:
        value = empty[name].value()
        if name != "DELETE" and value not in (None, ""):
            data[f"{prefix}-{count}-{name}"] = str(value)


class PriceTotalsView(StepView):
    """The price step's totals for the lines on screen, as the expert types (nothing saved):
    the figures (exact, as strings), each counted row's net, and the totals block's HTML."""

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        totals = form.totals()
        html = render_to_string("terms_kit/wizard/_price_totals.html",
                                {"price_totals": totals, "franchise": form.franchise},
                                request=request)
        return JsonResponse({**totals.as_json(), "html": html})


def steps_nav(engagement, completed, current):
    """The step list shown on every page: done steps are links, later ones are not."""
    items = []
    for number, step in enumerate(applicable_steps(engagement), start=1):
        open_ = engagement is not None and reachable(engagement, completed, step.key)
        if engagement is None and step.key == "identity":
            open_ = True
        items.append({
            "number": number, "step": step, "current": step.key == current,
            "done": step.key in completed,
            "url": step_url(engagement, step.key) if open_ else "",
        })
    return items


class LinkedFinding:
    """A finding (read through) with the link that opens its step at its field."""

    def __init__(self, finding, link, field_ids):
        self.finding, self.link, self.field_ids = finding, link, field_ids

    def __getattr__(self, name):
        return getattr(self.finding, name)


def _linked(finding, engagement, step):
    """``#id`` of the field in the link; wizard.js focuses the first of the ids the page has."""
    from .steps import field_ids

    ids = field_ids(finding.field)
    url = step_url(engagement, step.key) if step.key != "review" else reverse(
        "terms_kit_wizard_review", args=[engagement.pk])
    return LinkedFinding(finding, url + (f"#{ids[0]}" if ids else ""), " ".join(ids))


def panel_context(engagement, current, completed, check=integrations.get_findings):
    """The compliance panel: findings by step, for the steps filled so far.

    ``check(engagement)`` gives the findings: by default those of the stored draft.
    """
    context = {"checker_available": integrations.checker_available(), "finding_groups": [],
               "findings": [], "engagement": engagement}
    if engagement is None:
        return context
    try:
        findings = check(engagement)
    except Exception:
        # A checker crash must not lock the expert out of their draft; it is logged.
        logger.exception("Compliance check failed for engagement %s", engagement.pk)
        context["checker_failed"] = True
        return context
    shown = set(completed) | {current.key}
    context["findings"] = findings
    context["finding_groups"] = [
        (step, [_linked(finding, engagement, step) for finding in items])
        for step, items in group_findings(findings, engagement)
        if current.key == "review" or step.key in shown
    ]
    return context


def identity_panel(identity):
    """Step 1's findings shown on step 2 of a new draft (no engagement to check yet)."""
    from .steps import field_ids

    try:
        findings = integrations.identity_findings(identity)
    except Exception:
        logger.exception("Compliance check of identity %s failed", identity.pk)
        return {"checker_failed": True}
    base = reverse("terms_kit_wizard_new") + f"?identity_from={identity.pk}"
    linked = []
    for finding in findings:
        ids = field_ids(finding.field)
        linked.append(LinkedFinding(finding, base + (f"#{ids[0]}" if ids else ""),
                                    " ".join(ids)))
    return {"identity_only": True, "findings": findings,
            "finding_groups": [(get_step("identity"), linked)] if linked else []}


class LiveCheckView(StepView):
    """The panel for the answers on screen, before they are saved (called as the expert types).

    Answers that do not validate yet are not checked: the panel keeps the stored draft's
    findings until they do. Nothing is written.
    """

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        check = integrations.get_findings
        live = form.all_valid()
        if live:
            unsaved = integrations.findings_for_unsaved(self.engagement, form.step_data())
            if unsaved is not None:
                check = lambda engagement: unsaved  # noqa: E731
            else:
                live = False
        context = panel_context(self.engagement, self.step, self.completed, check)
        context["live"] = live
        return TemplateResponse(request, "terms_kit/wizard/_panel.html", context)


class ReviewView(WizardPageMixin, View):
    """The last step: the quote as the client sees it, documents, acknowledgements, sending."""

    template_name = "terms_kit/wizard/review.html"
    page_title = gettext_lazy("Review and send")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.engagement = editable_draft(
            request.user, kwargs["pk"],
            Engagement.objects.select_related("identity", "client", "terms_version"))
        # A draft made outside the wizard (import, admin form) has no state yet: nothing saved.
        self.state = (WizardState.objects.filter(engagement=self.engagement).first()
                      or WizardState(engagement=self.engagement))

    def dispatch(self, request, *args, **kwargs):
        if self.engagement.status != Status.DRAFT:
            messages.info(request, _("This quote has been sent."))
            return redirect("terms_kit_engagement:status", self.engagement.pk)
        if not reachable(self.engagement, self.state.completed_steps, "review"):
            return redirect(step_url(self.engagement, first_open_step(
                self.engagement, self.state.completed_steps)))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.engagement.title

    def get(self, request, *args, **kwargs):
        return self.render()

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "acknowledge":
            chosen = set(request.POST.getlist("warning"))
            warnings = [w for w in integrations.warnings_of(
                integrations.get_findings(self.engagement)) if warning_id(w) in chosen]
            if not warnings:
                messages.error(request, _("Tick the warnings you have read and accept."))
            else:
                drafts.acknowledge_warnings(self.engagement, warnings, request.user)
                messages.success(request, _("Acknowledgement recorded."))
        elif action == "generate":
            if integrations.start_document_generation(self.engagement, request.user) is None:
                messages.error(request, _("Document generation is not installed yet."))
            else:
                messages.success(request, _("Document generation started."))
        elif action == "send":
            try:
                sent = drafts.send_draft(
                    self.engagement, request.user,
                    int(request.POST.get("lock_version") or -1),
                    base_url=request.build_absolute_uri("/"),
                )
            except DraftConflict:
                messages.error(request, _(
                    "Not sent: this draft was changed in another tab or window since this page "
                    "was shown. Review it again below, then send."))
            except NotADraft:
                messages.error(request, _("This quote has been sent: it can no longer change."))
            except SendBlocked as blocked:
                messages.error(request, _(
                    "Not sent: %(errors)s error(s) to correct and %(warnings)s warning(s) to "
                    "acknowledge first.") % {"errors": len(blocked.errors),
                                               "warnings": len(blocked.unacknowledged)})
            else:
                messages.success(request, _(
                    "Sent: quote %(number)s is on its way to %(email)s; the link is valid until "
                    "%(date)s.") % {"number": self.engagement.number, "email": sent.link.email,
                                     "date": sent.link.expires_at.date()})
                return redirect("terms_kit_engagement:status", self.engagement.pk)
        return redirect("terms_kit_wizard_review", self.engagement.pk)

    def render(self):
        engagement = self.engagement
        lines = list(engagement.lines.all())
        totals = compute_totals(lines)
        context = panel_context(engagement, get_step("review"), self.state.completed_steps)
        findings = context["findings"]
        errors = integrations.errors_of(findings)
        pending = drafts.unacknowledged_warnings(engagement, integrations.warnings_of(findings))
        context.update(
            engagement=engagement,
            step=get_step("review"),
            steps_nav=steps_nav(engagement, self.state.completed_steps, "review"),
            line_rows=list(zip(lines, totals.line_nets, strict=True)),
            totals=totals,
            milestones=list(engagement.milestones.all()),
            answers=self.state.answers,
            withdrawal=conditions.has_withdrawal_right(engagement),
            errors=errors,
            pending_warnings=[(warning_id(w), w) for w in pending],
            acknowledgements=engagement.warning_acknowledgements.all(),
            can_send=not errors and not pending,
            documents_available=integrations.documents_available(),
            generation=integrations.latest_generation(engagement),
            documents=integrations.list_documents(engagement),
        )
        return TemplateResponse(self.request, self.template_name,
                                self.get_context_data(**context))


def warning_id(finding):
    """A stable form value for one warning: rule and field (the pair is unique)."""
    return f"{finding.rule_id}|{finding.field or ''}"

