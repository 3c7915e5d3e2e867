"""Admin views: Wagtail's generic views with isolation, plus status and publish actions."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage

from ..exceptions import InvalidTransition, TermsKitError
from ..models import Engagement, TermsVersion
from ..services.status import change_status
from ..services.terms import publish_terms
from ..status import Status, manual_next
from .ownership import OwnedListingMixin, OwnedObjectMixin


class OwnedIndexView(OwnedListingMixin, generic.IndexView):
    pass


class EngagementIndexView(OwnedIndexView):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            MenuItem(
                _("Status and history"),
                url=reverse("terms_kit_engagement_status", args=[instance.pk]),
                icon_name="history",
                priority=15,
            ),
            MenuItem(
                _("Payments and invoices"),
                url=reverse("terms_kit_engagement_ledger", args=[instance.pk]),
                icon_name="doc-full",
                priority=16,
            ),
        ]


class OwnedEditView(OwnedObjectMixin, generic.EditView):
    pass


class OwnedDeleteView(OwnedObjectMixin, generic.DeleteView):
    pass


class OwnedInspectView(OwnedObjectMixin, generic.InspectView):
    pass


class OwnedHistoryView(OwnedObjectMixin, history.HistoryView):
    pass


class OwnedUsageView(OwnedObjectMixin, usage.UsageView):
    pass


class FrozenUnlessDraftEditView(OwnedEditView):
    """Edit only while the record is a draft; what a client saw or accepted stays as it was."""

    frozen_message = gettext_lazy("This record is no longer a draft and cannot be edited.")

    def is_frozen(self, obj):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if self.is_frozen(self.get_object()):
            messages.warning(request, self.frozen_message)
            return redirect(self.inspect_url_name, self.kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class EngagementEditView(FrozenUnlessDraftEditView):
    frozen_message = gettext_lazy(
        "This quote has been sent: it can no longer change. Cancel it and create a new one."
    )

    def is_frozen(self, obj):
        return obj.status != Status.DRAFT


class TermsEditView(FrozenUnlessDraftEditView):
    frozen_message = gettext_lazy(
        "This terms version is published and frozen. Create a new version to change the text."
    )

    def is_frozen(self, obj):
        return obj.is_published


class EngagementDeleteView(OwnedDeleteView):
    """Only unnumbered drafts can go: a numbered quote is part of the sequence and the record."""

    def dispatch(self, request, *args, **kwargs):
        if self.get_object().status != Status.DRAFT:
            messages.error(request, _("Only a draft can be deleted. Cancel this quote instead."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class TermsDeleteView(OwnedDeleteView):
    def dispatch(self, request, *args, **kwargs):
        if self.get_object().is_published:
            messages.error(request, _("A published terms version is kept for the record."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("New status"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["to_status"].choices = [
            (value, labels[value]) for value in manual_next(engagement.status)
        ]


class EngagementStatusView(FormView):
    """Change an engagement's status through the one service that may do it."""

    template_name = "terms_kit/admin/engagement_status.html"
    form_class = StatusChangeForm

    def dispatch(self, request, pk):
        self.engagement = get_object_or_404(Engagement.objects.owned_by(request.user), pk=pk)
        return super().dispatch(request, pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            engagement=self.engagement, history=self.engagement.status_changes.all(),
            can_send=self.engagement.status in (Status.DRAFT, Status.SENT),
            access_links=self.engagement.access_links.all()[:5],
            has_live_link=self.engagement.access_links.filter(revoked_at__isnull=True).exists(),
            consent_records=self.engagement.consent_records.all(),
            sealed_files=self.engagement.sealed_files.all(),
            may_start=self._may_start(),
            **kwargs,
        )

    def _may_start(self):
        from ..services.payments import may_start

        if self.engagement.status in (Status.DRAFT, Status.SENT, Status.DECLINED, Status.EXPIRED):
            return None
        return may_start(self.engagement)

    def form_valid(self, form):
        try:
            change_status(
                self.engagement, form.cleaned_data["to_status"], user=self.request.user,
                note=form.cleaned_data["note"],
            )
        except InvalidTransition:
            # The status moved since the form was shown (another tab, another user).
            messages.error(
                self.request,
                _("The status has changed in the meantime; choose again from the current one."),
            )
            return redirect("terms_kit_engagement_status", self.engagement.pk)
        messages.success(self.request, _("Status changed."))
        return redirect("terms_kit_engagement_status", self.engagement.pk)


def publish_terms_view(request, pk):
    terms = get_object_or_404(TermsVersion.objects.owned_by(request.user), pk=pk)
    if request.method != "POST":
        return redirect("terms_kit_termsversion:inspect", pk)
    try:
        publish_terms(terms)
    except TermsKitError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Published as version %(version)s.") % {"version": terms.version}
        )
    return redirect("terms_kit_termsversion:inspect", pk)
