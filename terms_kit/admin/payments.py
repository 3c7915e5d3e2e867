"""Admin pages for money: the ledger of an engagement and the expert's payment actions.

Views are thin: each form is checked, then one service call; a refusal (PaymentRefused) is
shown next to its field. Every lookup goes through the engagement's permission policy:
reading needs "view", every action (a POST) "change" (403 without it), and another expert's
engagement is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from ..exceptions import InvoiceNotIssuable, PaymentRefused
from ..models import Engagement, Invoice, Payment
from ..permissions import policy_for
from ..services import payments
from ..services.ledger import build_ledger
from ..storage import download_response
from ..templatetags.terms_kit_money import ui_date, ui_money
from .acceptance import viewable_engagements
from .documents import CONTENT_TYPES


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount received (incl. VAT)"),
                                max_digits=12, decimal_places=2, min_value=0.01)
    paid_on = forms.DateField(label=gettext_lazy("Date received"), initial=timezone.localdate,
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=gettext_lazy("Reference (bank, cheque)"), required=False,
                                max_length=200)
    instalment = forms.TypedChoiceField(label=gettext_lazy("For"), required=False, coerce=int,
                                        empty_value=None)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        opened = [i for i in engagement.instalments.order_by("position") if i.is_open]
        self.fields["instalment"].choices = [("", _("What is due, oldest first"))] + [
            (i.pk, f"{i.label} · {ui_money(i.left_to_pay)}") for i in opened]


class CreditUseForm(forms.Form):
    quantity = forms.DecimalField(label=gettext_lazy("Hours used"), max_digits=7,
                                  decimal_places=2, min_value=0.01)
    used_on = forms.DateField(label=gettext_lazy("Date"), initial=timezone.localdate,
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


class ActForm(forms.Form):
    used_on = forms.DateField(label=gettext_lazy("Date"), initial=timezone.localdate,
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("What was provided"), required=False,
                           max_length=300)


class RefundForm(forms.Form):
    payment = forms.TypedChoiceField(label=gettext_lazy("Payment"), coerce=int)
    amount = forms.DecimalField(label=gettext_lazy("Amount to refund"), max_digits=12,
                                decimal_places=2, min_value=0.01)
    reason = forms.CharField(label=gettext_lazy("Reason (printed on the credit note)"),
                             max_length=500)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment"].choices = [
            (p.pk, f"{ui_date(p.paid_on)} · {ui_money(p.amount)} · {p.get_method_display()}")
            for p in engagement.payments.all()]


def _engagement(request, pk):
    action = "view" if request.method in ("GET", "HEAD") else "change"
    policy = policy_for(Engagement)
    if not policy.user_has_permission(request.user, action):
        raise PermissionDenied
    allowed = policy.instances_user_has_permission_for(request.user, action)
    return get_object_or_404(allowed.select_related("client", "identity"), pk=pk)


class EngagementLedgerView(TemplateView):
    """Schedule, invoices, payments, balance and may-start, with the expert's actions."""

    template_name = "terms_kit/admin/engagement_ledger.html"

    def get(self, request, pk, forms_with_errors=None):
        self.engagement = _engagement(request, pk)
        self.forms_with_errors = forms_with_errors or {}
        return super().get(request, pk)

    def get_context_data(self, **kwargs):
        engagement = self.engagement
        ledger = build_ledger(engagement)
        bound = self.forms_with_errors
        waiting = payments.invoices_waiting(engagement)
        milestones_to_do = [i for i in ledger["instalments"]
                            if i.state == "scheduled" and i.due_trigger == "milestone_done"]
        return super().get_context_data(
            engagement=engagement, ledger=ledger,
            payment_form=bound.get("payment") or PaymentForm(engagement=engagement),
            credit_form=bound.get("credit") or CreditUseForm(),
            act_form=bound.get("act") or ActForm(),
            refund_form=bound.get("refund") or RefundForm(engagement=engagement),
            waiting=waiting,
            waiting_problems=payments.waiting_problems(engagement) if waiting else [],
            next_milestone=milestones_to_do[0] if milestones_to_do else None,
            can_complete=any(i.state == "scheduled" and i.due_trigger == "completion"
                             for i in ledger["instalments"])
            or (engagement.payment_model == "pay_per_act"
                and engagement.status == "in_progress"),
            **kwargs,
        )


def _refused(request, pk, form, key, exc):
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    messages.error(request, str(exc))
    view = EngagementLedgerView()
    view.setup(request, pk=pk)
    response = view.get(request, pk, forms_with_errors={key: form})
    response.status_code = 400
    return response


@require_POST
def record_payment_view(request, pk):
    engagement = _engagement(request, pk)
    form = PaymentForm(request.POST, engagement=engagement)
    if not form.is_valid():
        return _refused(request, pk, form, "payment", PaymentRefused(
            _("The payment was not recorded: correct the highlighted fields.")))
    data = form.cleaned_data
    instalment = data["instalment"] and engagement.instalments.filter(
        pk=data["instalment"]).first()
    try:
        payment = payments.record_payment(
            engagement, amount=data["amount"], paid_on=data["paid_on"], method=data["method"],
            reference=data["reference"], user=request.user, instalment=instalment)
    except PaymentRefused as exc:
        return _refused(request, pk, form, "payment", exc)
    numbers = ", ".join(i.number for i in payment.invoices.all())
    messages.success(request, _("Payment of %(amount)s recorded.") % {"amount": payment.amount}
                     + (" " + _("Invoice issued: %(numbers)s.") % {"numbers": numbers}
                        if numbers else ""))
    return redirect("terms_kit_engagement_ledger", pk)


def _simple_action(request, pk, call, success):
    engagement = _engagement(request, pk)
    try:
        call(engagement)
    except PaymentRefused as exc:
        messages.error(request, str(exc))
    except InvoiceNotIssuable as exc:
        messages.error(request, _not_issuable(exc))
    else:
        messages.success(request, success)
    return redirect("terms_kit_engagement_ledger", pk)


def _not_issuable(exc):
    return _("The invoice cannot be issued yet:") + " " + " ".join(
        str(why) for _path, why in exc.problems)


@require_POST
def issue_waiting_view(request, pk):
    """Issue the invoices that waited for a missing mention (the client's SIREN...)."""
    engagement = _engagement(request, pk)
    try:
        issued = payments.issue_waiting_invoices(engagement)
    except InvoiceNotIssuable as exc:
        messages.error(request, _not_issuable(exc))
    else:
        if issued:
            messages.success(request, _("Invoice issued: %(numbers)s.")
                             % {"numbers": ", ".join(i.number for i in issued)})
        else:
            messages.info(request, _("No invoice is waiting to be issued."))
    return redirect("terms_kit_engagement_ledger", pk)


@require_POST
def milestone_done_view(request, pk, instalment_pk):
    engagement = _engagement(request, pk)
    instalment = get_object_or_404(engagement.instalments, pk=instalment_pk)
    if instalment.milestone_id is None:
        raise Http404
    return _simple_action(
        request, pk, lambda e: payments.mark_milestone_done(e, instalment.milestone,
                                                            user=request.user),
        _("Milestone marked done; its invoice is issued and e-mailed to the client."))


@require_POST
def terminal_hold_view(request, pk, instalment_pk):
    """The expert placed a card pre-authorisation at their own payment terminal (no online
    provider): it secures the instalment, as a provider's hold does; the capture is then
    recorded as a card-terminal payment (up to the hold, which settles it)."""
    engagement = _engagement(request, pk)
    instalment = get_object_or_404(engagement.instalments, pk=instalment_pk,
                                   kind="preauthorisation")
    reference = (request.POST.get("reference") or "").strip()
    if not reference:
        messages.error(request, _("Give the terminal's pre-authorisation reference (on its "
                                  "ticket): nothing was recorded."))
        return redirect("terms_kit_engagement_ledger", pk)
    if instalment.secured_at or not instalment.is_open:
        messages.error(request, _("“%(label)s” is already secured or settled: nothing was "
                                  "recorded.") % {"label": instalment.label})
        return redirect("terms_kit_engagement_ledger", pk)
    payments.secure_instalment(instalment, reference=f"terminal: {reference}",
                               user=request.user)
    messages.success(request, _("Card pre-authorisation recorded: work may start once the "
                                "other conditions are met."))
    return redirect("terms_kit_engagement_ledger", pk)


@require_POST
def completed_view(request, pk):
    return _simple_action(request, pk,
                          lambda e: payments.mark_completed(e, user=request.user),
                          _("Service marked completed."))


@require_POST
def credit_use_view(request, pk):
    engagement = _engagement(request, pk)
    form = CreditUseForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form, "credit", PaymentRefused(
            _("The session was not recorded: correct the highlighted fields.")))
    try:
        payments.record_credit_use(engagement, quantity=form.cleaned_data["quantity"],
                                   used_on=form.cleaned_data["used_on"],
                                   note=form.cleaned_data["note"], user=request.user)
    except PaymentRefused as exc:
        return _refused(request, pk, form, "credit", exc)
    messages.success(request, _("Session recorded."))
    return redirect("terms_kit_engagement_ledger", pk)


@require_POST
def credit_refund_view(request, pk):
    return _simple_action(
        request, pk, lambda e: payments.refund_unused_credit(e, user=request.user),
        _("Unused credit refunded pro rata; the credit note is issued."))


@require_POST
def credit_expired_view(request, pk):
    return _simple_action(
        request, pk, lambda e: payments.close_expired_credit(e, user=request.user),
        _("Expired credit closed as the accepted terms say."))


@require_POST
def act_view(request, pk):
    engagement = _engagement(request, pk)
    form = ActForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form, "act", PaymentRefused(
            _("The act was not recorded: correct the highlighted fields.")))
    try:
        payments.record_act(engagement, used_on=form.cleaned_data["used_on"],
                            note=form.cleaned_data["note"], user=request.user)
    except PaymentRefused as exc:
        return _refused(request, pk, form, "act", exc)
    messages.success(request, _("Act recorded; its invoice is issued and e-mailed."))
    return redirect("terms_kit_engagement_ledger", pk)


@require_POST
def refund_view(request, pk):
    engagement = _engagement(request, pk)
    form = RefundForm(request.POST, engagement=engagement)
    if not form.is_valid():
        return _refused(request, pk, form, "refund", PaymentRefused(
            _("Nothing was refunded: correct the highlighted fields.")))
    payment = engagement.payments.get(pk=form.cleaned_data["payment"])
    try:
        refund = payments.refund_payment(payment, amount=form.cleaned_data["amount"],
                                         reason=form.cleaned_data["reason"], user=request.user)
    except PaymentRefused as exc:
        return _refused(request, pk, form, "refund", exc)
    messages.success(request, _("Refund recorded.") + (
        " " + _("Credit note %(number)s issued.") % {"number": refund.credit_note.number}
        if refund.credit_note_id else ""))
    return redirect("terms_kit_engagement_ledger", pk)


@require_POST
def receipt_view(request, pk, payment_pk):
    engagement = _engagement(request, pk)
    payment = get_object_or_404(engagement.payments, pk=payment_pk)
    receipt = payments.issue_payment_receipt(payment)
    messages.success(request, _("Receipt %(number)s issued and e-mailed to the client.")
                     % {"number": receipt.number})
    return redirect("terms_kit_engagement_ledger", pk)


def invoice_download(request, pk, fmt):
    invoice = get_object_or_404(
        Invoice.objects.filter(engagement__in=viewable_engagements(request.user))
        .select_related("issued_document"), pk=pk)
    if fmt not in CONTENT_TYPES or invoice.document is None:
        raise Http404
    stored = getattr(invoice.document, fmt)
    return download_response(stored, content_type=CONTENT_TYPES[fmt],
                             filename=f"{invoice.number}.{fmt}")
