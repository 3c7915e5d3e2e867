"""Admin page where a superuser records a half-year's official figures.

Superusers only (anyone else gets 403): these figures decide every expert's late-penalty
floor and late interest. The page lists the half-yearly figures in force (shipped, from the
host project's file, recorded here) with their sources, and a form for the next half-year.
Thin view: the form is checked, then ``record_half_year``; a refusal shows its messages on the
fields and stores nothing.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..compliance import params
from ..services.figures import FigureRefused, record_half_year

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class HalfYearForm(forms.Form):
    half_year_start = forms.DateField(
        label=gettext_lazy("Half-year starting on"), widget=DATE_WIDGET,
        help_text=gettext_lazy("1 January or 1 July."))
    legal_rate_other = forms.DecimalField(
        label=gettext_lazy("Legal interest rate, creditor other than a consumer (% a year)"),
        max_digits=6, decimal_places=3)
    legal_rate_consumer = forms.DecimalField(
        label=gettext_lazy("Legal interest rate, creditor who is a consumer (% a year)"),
        max_digits=6, decimal_places=3)
    ecb_rate = forms.DecimalField(
        label=gettext_lazy("ECB main refinancing rate on the first day of the half-year (%)"),
        max_digits=6, decimal_places=3)
    source = forms.CharField(
        label=gettext_lazy("Source"), max_length=500,
        help_text=gettext_lazy("Journal officiel reference of the arrêté (or its URL on "
                               "legifrance.gouv.fr) and the ECB decision."))
    published_on = forms.DateField(label=gettext_lazy("Date of the source"), widget=DATE_WIDGET)


def figures_view(request):
    if not request.user.is_superuser:
        # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
        return HttpResponseForbidden(_("Only a superuser records the official figures: ask "
                                       "your site administrator."))
    form = HalfYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_half_year(request.user, **form.cleaned_data)
        except FigureRefused as refused:
            for field, message in refused.errors.items():
                form.add_error(field, message)
        else:
            messages.success(request, _(
                "The figures of %(half)s are recorded: the compliance checks and late interest "
                "use them from now on.") % {"half": record})
            return redirect("terms_kit_official_figures")
    status = 400 if request.method == "POST" else 200
    figures = [
        {"title": params.all_parameters()[name].title_in(request.LANGUAGE_CODE),
         "periods": params.periods_of(name)}
        for name in params.RECORDED_FIELDS
    ]
    return render(request, "terms_kit/admin/official_figures.html",
                  {"form": form, "figures": figures}, status=status)
