"""Admin pages for dunning: the approval queue, each invoice's dunning page (history, pauses),
pausing a client, and the homepage panel.

Views are thin: a form is checked, then one call to ``terms_kit.dunning``; a refusal
(DunningError) is shown next to its field and nothing is stored. Every lookup goes through
the owner permission policy: an invoice through its engagement's ("view" to read, "change"
to pause or resume), a step through ``DunningAction``'s ("change" to approve or skip), a
client through ``Client``'s. Another expert's record is a 404.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component

from ..dunning import actions, pauses
from ..dunning.ladder import ladder_for, load_ladders, next_step
from ..dunning.receivables import open_invoices, outstanding, outstanding_many
from ..exceptions import DunningError
from ..models import (
    ActionState,
    Client,
    DunningAction,
    DunningEvent,
    DunningPause,
    Engagement,
    Invoice,
    PauseSource,
)
from ..permissions import policy_for

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PauseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)
    until = forms.DateField(label=gettext_lazy("Until (included)"), required=False,
                            widget=DATE_WIDGET)
    source = forms.ChoiceField(label=gettext_lazy("Why"), choices=[
        (value, label) for value, label in PauseSource.choices if value != PauseSource.PLAN])


class SkipForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why skip this step"), max_length=2000,
                             required=False)


def _allowed(model, request, action):
    policy = policy_for(model)
    if not policy.user_has_permission(request.user, action):
        raise PermissionDenied
    return policy.instances_user_has_permission_for(request.user, action)


def _invoice(request, pk, action):
    engagements = _allowed(Engagement, request, action)
    return get_object_or_404(
        Invoice.objects.filter(engagement__in=engagements)
        .select_related("engagement__client", "engagement__identity", "instalment"), pk=pk)


def _pause_with_form(request, target, redirect_to):
    form = PauseForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect(redirect_to)
    try:
        pauses.pause(target, reason=form.cleaned_data["reason"],
                     until=form.cleaned_data["until"], source=form.cleaned_data["source"],
                     user=request.user)
    except DunningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Dunning paused until %(until)s.") % {
            "until": form.cleaned_data["until"].isoformat()})
    return redirect(redirect_to)


class InvoiceDunningView(TemplateView):
    """One invoice's dunning: amount left, steps, the insert-only history, pauses."""

    template_name = "terms_kit/admin/invoice_dunning.html"

    def get(self, request, pk):
        self.invoice = _invoice(request, pk, "view")
        return super().get(request, pk)

    def get_context_data(self, **kwargs):
        invoice = self.invoice
        today = timezone.localdate()
        engagement = invoice.engagement
        can_change = policy_for(Engagement).user_has_permission_for_instance(
            self.request.user, "change", engagement)
        steps = list(DunningAction.objects.filter(invoice=invoice).order_by("decided_on"))
        ladder = ladder_for(invoice)
        upcoming = None
        if invoice.instalment and invoice.instalment.is_open:
            upcoming = next_step(invoice, ladder, {a.step: a for a in steps},
                                 datetime.date.max)
        return super().get_context_data(
            invoice=invoice, engagement=engagement, can_change=can_change,
            left=outstanding(invoice, today), steps=steps, ladder=ladder, upcoming=upcoming,
            events=DunningEvent.objects.filter(invoice=invoice)
            .select_related("sent_message", "document").order_by("created_at", "pk"),
            pauses=DunningPause.objects.filter(invoice=invoice).select_related("end")
            .order_by("-starts_on", "-pk"),
            client_pauses=DunningPause.objects.filter(client=engagement.client)
            .select_related("end").order_by("-starts_on", "-pk"),
            active=pauses.active_pause(invoice, today),
            pause_form=PauseForm(initial={"until": today + datetime.timedelta(days=14)}),
            skip_form=SkipForm(), **kwargs)


@require_POST
def invoice_pause_view(request, pk):
    invoice = _invoice(request, pk, "change")
    return _pause_with_form(request, invoice, _dunning_url(invoice))


@require_POST
def invoice_resume_view(request, pk):
    invoice = _invoice(request, pk, "change")
    ended = pauses.resume(invoice, user=request.user, note=request.POST.get("note", ""))
    if ended:
        messages.success(request, _("Dunning resumed."))
    else:
        messages.error(request, _("This invoice is not paused."))
    return redirect(_dunning_url(invoice))


@require_POST
def client_pause_view(request, pk):
    client = get_object_or_404(_allowed(Client, request, "change"), pk=pk)
    back = request.POST.get("next") or "terms_kit_dunning_queue"
    if not back.startswith("/admin/"):
        back = "terms_kit_dunning_queue"
    return _pause_with_form(request, client, back)


@require_POST
def client_resume_view(request, pk):
    client = get_object_or_404(_allowed(Client, request, "change"), pk=pk)
    if pauses.resume(client, user=request.user, note=request.POST.get("note", "")):
        messages.success(request, _("Dunning resumed for %(client)s.") % {"client": client})
    else:
        messages.error(request, _("This client is not paused."))
    return redirect("terms_kit_dunning_queue")


def _dunning_url(invoice):
    from django.urls import reverse

    return reverse("terms_kit_invoice_dunning", args=[invoice.pk])


def _step(request, pk):
    return get_object_or_404(_allowed(DunningAction, request, "change"), pk=pk)


@require_POST
def approve_view(request, pk):
    step = _step(request, pk)
    try:
        actions.approve(step, user=request.user)
    except DunningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Approved: %(step)s for %(number)s goes out now.") % {
            "step": step.get_step_display(), "number": step.invoice.number})
    return redirect(request.POST.get("next") if _safe(request.POST.get("next"))
                    else "terms_kit_dunning_queue")


@require_POST
def skip_view(request, pk):
    step = _step(request, pk)
    form = SkipForm(request.POST)
    form.is_valid()
    try:
        actions.skip(step, reason=form.cleaned_data.get("reason", ""), user=request.user)
    except DunningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Skipped: %(step)s for %(number)s.") % {
            "step": step.get_step_display(), "number": step.invoice.number})
    return redirect(request.POST.get("next") if _safe(request.POST.get("next"))
                    else "terms_kit_dunning_queue")


def _safe(url):
    return bool(url) and url.startswith("/admin/") and "//" not in url[1:]


class DunningQueueView(TemplateView):
    """The expert's steps waiting for approval (or failed), the next ones, paused clients."""

    template_name = "terms_kit/admin/dunning_queue.html"

    def get(self, request):
        self.steps = _allowed(DunningAction, request, "view")
        return super().get(request)

    def get_context_data(self, **kwargs):
        user = self.request.user
        waiting = (self.steps.filter(state__in=[ActionState.AWAITING_APPROVAL,
                                                ActionState.FAILED])
                   .select_related("invoice__engagement__client").order_by("decided_on"))
        summary = receivables_summary(user)
        today = timezone.localdate()
        paused_clients = (DunningPause.objects.filter(client__isnull=False)
                          .filter(pauses.running_filter(today)).select_related("client"))
        if not user.is_superuser:
            paused_clients = paused_clients.filter(owner=user)
        can_change = policy_for(DunningAction).user_has_permission(user, "change")
        return super().get_context_data(
            waiting=waiting, summary=summary, paused_clients=paused_clients,
            can_change=can_change, skip_form=SkipForm(), **kwargs)


# --- The homepage panel ----------------------------------------------------------------------

AGE_BUCKETS = ((0, 15, "0–15"), (16, 30, "16–30"), (31, 45, "31–45"), (46, None, ">45"))


def receivables_summary(user, on=None, limit=10):
    """What the panel shows for ``user`` (their own invoices; a superuser's: everyone's), in a
    fixed number of queries: total receivable, overdue by age, next steps, waiting ones."""
    on = on or timezone.localdate()
    owner = None if user.is_superuser else user
    invoices = list(open_invoices(owner).select_related("engagement__client", "instalment"))
    left = outstanding_many(invoices, on)
    ladders = load_ladders(invoices)
    taken = {}
    for action in DunningAction.objects.filter(invoice_id__in=[i.pk for i in invoices]):
        taken.setdefault(action.invoice_id, {})[action.step] = action
    paused = pauses.paused_invoice_ids(invoices, on)
    buckets = [{"label": label, "amount": 0, "count": 0} for _lo, _hi, label in AGE_BUCKETS]
    total = sum(left.values(), 0)
    upcoming = []
    for invoice in invoices:
        amount = left[invoice.pk]
        if amount <= 0:
            continue
        late = (on - invoice.due_date).days
        if late > 0:
            for bucket, (low, high, _label) in zip(buckets, AGE_BUCKETS, strict=True):
                if late >= max(low, 1) and (high is None or late <= high):
                    bucket["amount"] += amount
                    bucket["count"] += 1
        if invoice.pk in paused:
            continue
        found = next_step(invoice, ladder_for(invoice, ladders), taken.get(invoice.pk, {}),
                          datetime.date.max)
        if found:
            upcoming.append({"invoice": invoice, "step": found[0], "on": found[1],
                             "amount": amount})
    upcoming.sort(key=lambda item: (item["on"], item["invoice"].pk))
    waiting = (DunningAction.objects.filter(state=ActionState.AWAITING_APPROVAL)
               .select_related("invoice__engagement__client").order_by("decided_on"))
    if owner is not None:
        waiting = waiting.filter(owner=owner)
    labels = dict(DunningAction._meta.get_field("step").choices)
    for item in upcoming:
        item["step_label"] = labels[item["step"]]
    return {"total": total, "open_count": sum(1 for v in left.values() if v > 0),
            "buckets": buckets, "overdue": sum(b["amount"] for b in buckets),
            "upcoming": upcoming[:limit], "waiting": list(waiting[:limit]),
            "waiting_count": waiting.count(), "on": on}


class DunningPanel(Component):
    name = "terms_kit_dunning"
    template_name = "terms_kit/admin/dunning_panel.html"
    order = 90

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["summary"] = receivables_summary(self.request.user)
        return context


def add_panel(request, panels):
    """construct_homepage_panels: the panel for anyone who may see dunning steps."""
    if policy_for(DunningAction).user_has_permission(request.user, "view"):
        panels.append(DunningPanel(request))
