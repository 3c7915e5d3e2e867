"""Admin pages for instalment plans: offer one from the engagement's ledger, follow its state.

Thin views over services/plans.py. Every lookup goes through the engagement's permission
policy (admin/payments.py ``_engagement``): reading needs "view", offering or withdrawing
"change" (403 without it); another expert's engagement or plan is a 404.
"""

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..exceptions import PlanRefused, TermsKitError
from ..services import plans
from ..services.invoicing import BILLING_KINDS
from .payments import _engagement


def _open_invoices(engagement):
    """The engagement's invoices with something left to pay, oldest first."""
    rows = []
    for invoice in engagement.invoices.filter(kind__in=BILLING_KINDS).order_by("issue_date",
                                                                               "sequence"):
        left = plans.outstanding(invoice)
        if left > 0:
            rows.append((invoice, left, plans.live_plan_of(invoice)))
    return rows


class OfferForm(forms.Form):
    invoices = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Invoices the plan covers"), coerce=int,
        widget=forms.CheckboxSelectMultiple)
    count = forms.IntegerField(label=gettext_lazy("Number of instalments"), min_value=1,
                               max_value=plans.MAX_INSTALMENTS, initial=3)
    first_date = forms.DateField(
        label=gettext_lazy("First instalment on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    rows = forms.CharField(
        label=gettext_lazy("Instalments (one a line: date amount)"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Left empty, the debt is split evenly, one instalment a month "
                               "from the first date. Edit the lines to change a date or an "
                               "amount, e.g. 2026-12-15 1600.00."))

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].choices = [
            (invoice.pk, f"{invoice.number} · {left}"
             + (f" ({_('in plan')} {plan.number})" if plan else ""))
            for invoice, left, plan in _open_invoices(engagement)]
        self.fields["first_date"].initial = timezone.localdate() + datetime.timedelta(days=7)


def _parse_rows(text):
    rows = []
    for line in (text or "").splitlines():
        parts = line.replace(";", " ").split()
        if not parts:
            continue
        rows.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return rows


def _even_rows(engagement, data):
    invoices = [i for i in engagement.invoices.filter(pk__in=data["invoices"])]
    debt = plans.covered_debt(invoices)
    return plans.even_split(debt, data["count"], data["first_date"])


def _page(request, engagement, form, status=200):
    plan_rows = []
    for plan in engagement.instalment_plans.prefetch_related("instalments", "events"):
        state = plans.progress(plan) if plan.state != "offered" else None
        plan_rows.append({"plan": plan, "progress": state,
                          "instalments": state.rows if state else [
                              plans.PlanRow(i.position, i.due_date, i.amount, 0, "upcoming")
                              for i in plan.instalments.all()]})
    return render(request, "terms_kit/admin/engagement_plans.html", {
        "engagement": engagement, "form": form, "plans": plan_rows,
        "open_invoices": _open_invoices(engagement)}, status=status)


@require_http_methods(["GET", "POST"])
def plans_view(request, pk):
    engagement = _engagement(request, pk)
    if request.method == "GET":
        return _page(request, engagement, OfferForm(engagement=engagement))
    form = OfferForm(request.POST, engagement=engagement)
    if not form.is_valid():
        messages.error(request, _("No plan was offered: correct the highlighted fields."))
        return _page(request, engagement, form, status=400)
    data = form.cleaned_data
    try:
        rows = _parse_rows(data["rows"]) or _even_rows(engagement, data)
        if request.POST.get("action") == "preview":
            # Fill the lines with the even split for the expert to edit; nothing is stored.
            preview = request.POST.copy()
            preview["rows"] = "\n".join(f"{d.isoformat()} {a}" for d, a in
                                        _even_rows(engagement, data))
            return _page(request, engagement, OfferForm(preview, engagement=engagement))
        sent = plans.offer_plan(engagement, invoices=data["invoices"], instalments=rows,
                                user=request.user, base_url=request.build_absolute_uri("/"))
    except PlanRefused as exc:
        for key, message in exc.errors.items():
            form.add_error("invoices" if key == "invoices" else (
                "rows" if key.startswith("instalment") or key == "total" else None), message)
        messages.error(request, _("No plan was offered: %(reasons)s") % {"reasons": exc})
        return _page(request, engagement, form, status=400)
    except TermsKitError as exc:
        messages.error(request, str(exc))
        return _page(request, engagement, form, status=400)
    messages.success(request, _("Plan %(number)s offered; the client received a link to accept "
                                "it online.") % {"number": sent.plan.number})
    return redirect("terms_kit_engagement_plans", pk)


@require_POST
def plan_withdraw_view(request, pk, plan_pk):
    engagement = _engagement(request, pk)
    plan = get_object_or_404(engagement.instalment_plans, pk=plan_pk)
    try:
        plans.withdraw_plan(plan, user=request.user)
    except TermsKitError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Plan %(number)s withdrawn; its link no longer works.")
                         % {"number": plan.number})
    return redirect("terms_kit_engagement_plans", pk)
