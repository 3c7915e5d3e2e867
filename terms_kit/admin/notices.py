"""Admin page of an engagement's late interest, formal notices and recourse files.

Thin views: a form is checked, then one service call (issue_formal_notice,
build_recourse_file); a refusal is shown with its message and nothing is stored. Lookups go
through the engagement's permission policy (``payments._engagement``): reading needs "view",
every POST "change" (403 without it), another expert's engagement or file is a 404.
"""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from ..dunning import claims
from ..dunning.interest import InterestError
from ..dunning.notices import (
    DEADLINE_DEFAULT,
    DEADLINE_MAX,
    DEADLINE_MIN,
    NoticeError,
    issue_formal_notice,
)
from ..dunning.receivables import dunnable_invoices, outstanding
from ..dunning.recourse import RecourseError, build_recourse_file
from ..models import FormalNotice, RecourseFile
from .acceptance import viewable_engagements
from .documents import CONTENT_TYPES
from .payments import _engagement

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PreviewForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Interest up to"), widget=DATE_WIDGET,
                         required=False)
    rate = forms.DecimalField(label=gettext_lazy("Other late-penalty rate (% a year)"),
                              required=False, max_digits=5, decimal_places=2, min_value=0,
                              help_text=gettext_lazy("Empty: the accepted quote's rate."))


class NoticeForm(forms.Form):
    invoices = forms.TypedMultipleChoiceField(label=gettext_lazy("Invoices"), coerce=int)
    on = forms.DateField(label=gettext_lazy("Date of the notice"), widget=DATE_WIDGET)
    deadline_days = forms.IntegerField(
        label=gettext_lazy("Deadline (days)"), initial=DEADLINE_DEFAULT,
        help_text=gettext_lazy("From 8 to 15 days."))

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].choices = [
            (i.pk, f"{i.number} · {i.net} · {i.due_date}")
            for i in dunnable_invoices().filter(engagement=engagement).order_by("due_date")]
        self.fields["on"].initial = timezone.localdate


class RecourseForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Prepared on"), widget=DATE_WIDGET)


def _rows(engagement, on, rate):
    """Per late invoice: its statement, or the message that stopped it."""
    rows = []
    for invoice in dunnable_invoices().filter(engagement=engagement).order_by("due_date", "pk"):
        if invoice.due_date >= on or outstanding(invoice, on) <= 0:
            continue
        try:
            rows.append({"invoice": invoice, "statement": claims.statement(invoice, on,
                                                                          rate=rate)})
        except InterestError as exc:
            rows.append({"invoice": invoice, "error": str(exc)})
    return rows


class EngagementNoticesView(TemplateView):
    template_name = "terms_kit/admin/engagement_notices.html"

    def get(self, request, pk, bound=None, status=200):
        self.engagement = _engagement(request, pk)
        self.bound = bound or {}
        response = super().get(request, pk)
        response.status_code = status
        return response

    def get_context_data(self, **kwargs):
        engagement = self.engagement
        preview = PreviewForm(self.request.GET or None)
        on, rate = timezone.localdate(), None
        if preview.is_bound and preview.is_valid():
            on = preview.cleaned_data["on"] or on
            rate = preview.cleaned_data["rate"]
        return super().get_context_data(
            engagement=engagement, on=on, preview=preview, rows=_rows(engagement, on, rate),
            notice_form=self.bound.get("notice") or NoticeForm(engagement=engagement),
            recourse_form=self.bound.get("recourse") or RecourseForm(
                initial={"on": timezone.localdate()}),
            notices=FormalNotice.objects.filter(engagement=engagement).order_by("-pk"),
            recourse_files=RecourseFile.objects.filter(engagement=engagement).order_by("-pk"),
            deadline_range=(DEADLINE_MIN, DEADLINE_MAX), **kwargs)


def _refused(request, pk, key, form, message):
    form.add_error(None, message)
    messages.error(request, message)
    view = EngagementNoticesView()
    view.setup(request, pk=pk)
    request.GET = request.GET.copy()
    return view.get(request, pk, bound={key: form}, status=400)


@require_POST
def issue_notice_view(request, pk):
    engagement = _engagement(request, pk)
    form = NoticeForm(request.POST, engagement=engagement)
    if not form.is_valid():
        return _refused(request, pk, "notice", form,
                        _("No formal notice was issued: correct the highlighted fields."))
    data = form.cleaned_data
    invoices = list(dunnable_invoices().filter(engagement=engagement, pk__in=data["invoices"]))
    try:
        notice = issue_formal_notice(engagement, invoices=invoices, on=data["on"],
                                     deadline_days=data["deadline_days"], user=request.user)
    except NoticeError as exc:
        return _refused(request, pk, "notice", form, str(exc))
    messages.success(request, _("Formal notice %(number)s issued (%(total)s). Download it, "
                                "send it by e-mail or registered letter.")
                     % {"number": notice.number, "total": notice.total})
    return redirect("terms_kit_engagement_notices", pk)


@require_POST
def send_notice_view(request, pk, notice_pk):
    from ..dunning.letters import send_notice

    engagement = _engagement(request, pk)
    notice = get_object_or_404(FormalNotice.objects.filter(engagement=engagement), pk=notice_pk)
    send_notice(notice, idempotency_key=f"notice:{notice.pk}", user=request.user)
    messages.success(request, _("Formal notice %(number)s e-mailed to %(to)s; the proof of "
                                "sending is recorded.") % {"number": notice.number,
                                                            "to": engagement.client.email})
    return redirect("terms_kit_engagement_notices", pk)


@require_POST
def build_recourse_view(request, pk):
    engagement = _engagement(request, pk)
    form = RecourseForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "recourse", form,
                        _("No recourse file was prepared: correct the highlighted fields."))
    try:
        record = build_recourse_file(engagement, on=form.cleaned_data["on"], user=request.user)
    except RecourseError as exc:
        return _refused(request, pk, "recourse", form, str(exc))
    messages.success(request, _("Recourse file prepared: %(procedure)s.")
                     % {"procedure": record.get_procedure_display()})
    return redirect("terms_kit_engagement_notices", pk)


def notice_download(request, pk, fmt):
    notice = get_object_or_404(
        FormalNotice.objects.filter(engagement__in=viewable_engagements(request.user))
        .select_related("document"), pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    stored = getattr(notice.document, fmt)
    return FileResponse(stored.storage.open(stored.name, "rb"), as_attachment=True,
                        content_type=CONTENT_TYPES[fmt], filename=f"{notice.number}.{fmt}")


def recourse_download(request, pk):
    record = get_object_or_404(
        RecourseFile.objects.filter(engagement__in=viewable_engagements(request.user)), pk=pk)
    stored = record.zip_file
    name = f"recourse-{record.engagement.number}-{record.prepared_on:%Y%m%d}.zip"
    return FileResponse(stored.storage.open(stored.name, "rb"), as_attachment=True,
                        content_type="application/zip", filename=name)

