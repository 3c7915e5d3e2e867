"""Admin views: Wagtail's generic views with isolation, plus status and publish actions."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.log_actions import log

from ..exceptions import ImmutableRecord, InvalidTransition, TermsKitError
from ..models import Engagement, TermsVersion
from ..services import records
from ..services.status import change_status
from ..services.terms import publish_terms
from ..status import Status, manual_next
from .ownership import OwnedActionMixin, OwnedListingMixin, OwnedObjectMixin


class OwnedIndexView(OwnedListingMixin, generic.IndexView):
    pass


class EngagementIndexView(OwnedIndexView):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            MenuItem(
                _("Status and history"),
                url=reverse("terms_kit_engagement:status", args=[instance.pk]),
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


class VersionedEditView(OwnedEditView):
    """Edit an identity, client or terms version; under a sent quote, save a new version.

    What a client was sent keeps pointing at the record as it was: ``services.records``
    saves the changes in place while nothing sent uses the record, else as a new record.
    """

    template_name = "terms_kit/admin/versioned_edit.html"

    def get_context_data(self, **kwargs):
        frozen = records.is_frozen(self.object)
        context = super().get_context_data(
            frozen=frozen,
            sent_numbers=list(records.sent_engagements(self.object)
                              .values_list("number", flat=True)[:10]) if frozen else [],
            is_terms=isinstance(self.object, TermsVersion),
            **kwargs,
        )
        if frozen:
            context["submit_button_label"] = _("Save as a new version")
        return context

    def save_instance(self):
        self.original_pk = self.object.pk
        instance = records.save_record(self.form.save(commit=False))
        self.form.save_m2m()
        new = instance.pk != self.original_pk
        log(instance=instance, action="wagtail.create" if new else "wagtail.edit",
            user=self.request.user, content_changed=True)
        return instance

    def get_success_message(self):
        if self.object.pk != self.original_pk:
            return _("Saved as a new version: %(record)s. What was already sent keeps the "
                     "previous one.") % {"record": self.object}
        return super().get_success_message()


class EngagementDeleteView(OwnedDeleteView):
    """Only unnumbered drafts can go: a numbered quote is part of the sequence and the record."""

    def dispatch(self, request, *args, **kwargs):
        if self.get_object().status != Status.DRAFT:
            messages.error(request, _("Only a draft can be deleted. Cancel this quote instead."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class VersionedDeleteView(OwnedDeleteView):
    """An identity, client or terms version that a sent quote uses is never deleted."""

    def dispatch(self, request, *args, **kwargs):
        try:
            records.ensure_deletable(self.get_object())
        except ImmutableRecord as exc:
            messages.error(request, str(exc))
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


class EngagementStatusView(OwnedActionMixin, FormView):
    """Status, client links and history; changes go through the one service that may do it.

    Seeing it needs the "view" permission, changing the status the "change" permission.
    """

    model = Engagement
    template_name = "terms_kit/admin/engagement_status.html"
    form_class = StatusChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.object}

    def get_context_data(self, **kwargs):
        engagement = self.object
        # Someone with only the "view" permission sees the page without its actions.
        can_change = self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", engagement)
        return super().get_context_data(
            engagement=engagement, history=engagement.status_changes.all(),
            can_change=can_change,
            can_send=can_change and engagement.status in (Status.DRAFT, Status.SENT),
            access_links=engagement.access_links.all()[:5],
            has_live_link=engagement.access_links.filter(revoked_at__isnull=True).exists(),
            consent_records=engagement.consent_records.all(),
            sealed_files=engagement.sealed_files.all(),
            may_start=self._may_start(),
            **kwargs,
        )

    def _may_start(self):
        from ..services.payments import may_start

        if self.object.status in (Status.DRAFT, Status.SENT, Status.DECLINED, Status.EXPIRED):
            return None
        return may_start(self.object)

    def form_valid(self, form):
        try:
            change_status(
                self.object, form.cleaned_data["to_status"], user=self.request.user,
                note=form.cleaned_data["note"],
            )
        except InvalidTransition:
            # The status moved since the form was shown (another tab, another user).
            messages.error(
                self.request,
                _("The status has changed in the meantime; choose again from the current one."),
            )
            return redirect("terms_kit_engagement:status", self.object.pk)
        messages.success(self.request, _("Status changed."))
        return redirect("terms_kit_engagement:status", self.object.pk)


class PublishTermsView(OwnedActionMixin, View):
    """Publish a draft terms version (POST); a GET shows the version."""

    model = TermsVersion
    permission_required = "view"

    def get(self, request, pk):
        return redirect("terms_kit_termsversion:inspect", pk)

    def post(self, request, pk):
        terms = self.object
        try:
            publish_terms(terms)
        except TermsKitError as exc:
            messages.error(request, str(exc))
        else:
            log(instance=terms, action="wagtail.publish", user=request.user)
            messages.success(
                request, _("Published as version %(version)s.") % {"version": terms.version}
            )
        return redirect("terms_kit_termsversion:inspect", pk)


class TermsIndexView(OwnedIndexView):
    """Terms versions: build one from clauses, open a built draft in the builder, compare."""

    @cached_property
    def header_buttons(self):
        from wagtail.admin.widgets.button import HeaderButton

        return [*super().header_buttons,
                HeaderButton(_("Build from clauses"), icon_name="list-ul",
                             url=reverse("terms_kit_termsversion:build_new"))]

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if not instance.is_published:
            buttons.append(MenuItem(_("Build from clauses"), icon_name="list-ul", priority=15,
                                    url=reverse("terms_kit_termsversion:build",
                                                args=[instance.pk])))
        buttons.append(MenuItem(_("Compare"), icon_name="history", priority=16,
                                url=reverse("terms_kit_termsversion:diff", args=[instance.pk])))
        return buttons
