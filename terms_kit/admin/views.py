"""Admin views: Wagtail's generic views with isolation, plus status and publish actions."""

import datetime

from django import forms
from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.log_actions import log

from ..exceptions import ImmutableRecord, InvalidTransition, TermsKitError
from ..models import Engagement, OfferBooking, TermsVersion
from ..services import records
from ..services.acceptance import revoke_links
from ..services.paper import MAX_SCAN_BYTES as PAPER_MAX_BYTES
from ..services.status import change_status
from ..services.terms import publish_terms
from ..status import Status, manual_next
from ..storage import private_storage
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
    def form_valid(self, form):
        # The last guard: records that must be kept (documents, history, payments) point at
        # this one with PROTECT, or refuse deletion themselves; nothing was deleted.
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError, ImmutableRecord):
            messages.error(self.request, _(
                "It cannot be deleted: documents, history or payments are recorded for it and "
                "are kept for their legal retention."))
            return redirect(self.index_url_name)


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


# What each change by hand means, shown next to its choice (the expert picks an event, not
# a label from a list). Changes owned by acceptance or payments are never offered here.
STATUS_HELP = {
    Status.DECLINED: gettext_lazy("The client said no."),
    Status.EXPIRED: gettext_lazy("The client did not answer in time; the link stops working."),
    Status.CANCELLED: gettext_lazy("You withdraw this quote; the client's link stops working."),
    Status.FORMAL_NOTICE: gettext_lazy("You sent the client a formal notice to pay."),
}


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(
        label=gettext_lazy("What happened?"), widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what happened, then confirm.")})
    note = forms.CharField(label=gettext_lazy("Note (kept in the history)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["to_status"].choices = [
            (value, labels[value]) for value in manual_next(engagement.status)
        ]
        self.fields["to_status"].initial = None  # nothing is chosen for the expert
        self.help = dict(STATUS_HELP)
        if engagement.status not in (Status.DRAFT, Status.SENT):
            self.help[Status.CANCELLED] = _(
                "You end the contract: nothing more falls due. Refund what was paid for work "
                "not done from Payments and invoices.")
        elif engagement.status == Status.DRAFT:
            self.help[Status.CANCELLED] = _("You drop this draft; it keeps no number.")

    def choices_with_help(self):
        value = self.data.get("to_status") if self.is_bound else None
        return [{"value": code, "label": label, "help": self.help.get(code, ""),
                 "checked": code == value}
                for code, label in self.fields["to_status"].choices]


class PaperAcceptanceForm(forms.Form):
    scan = forms.FileField(
        label=gettext_lazy("Signed quote (scan)"),
        help_text=gettext_lazy("PDF, JPEG or PNG, 10 MB at most: every page, with the "
                               "signature and “Bon pour accord”."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    signer_name = forms.CharField(label=gettext_lazy("Name of the signer"), max_length=200)
    signer_role = forms.CharField(
        label=gettext_lazy("Role (for a company: e.g. managing director)"), max_length=200,
        required=False)
    signed_on = forms.DateField(label=gettext_lazy("Date of the signature"),
                                widget=forms.DateInput(attrs={"type": "date"}))


class WithdrawalLetterForm(forms.Form):
    sent_on = forms.DateField(
        label=gettext_lazy("Date the letter was sent (postmark)"),
        help_text=gettext_lazy("This date decides whether the withdrawal is in time. Without "
                               "a postmark (a letter handed in), the date it reached you."),
        widget=forms.DateInput(attrs={"type": "date"}))
    received_on = forms.DateField(label=gettext_lazy("Date the letter reached you"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(
        label=gettext_lazy("Scan of the letter (optional)"), required=False,
        help_text=gettext_lazy("PDF, JPEG or PNG, 10 MB at most: the letter and, if you have "
                               "it, the envelope with the postmark."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


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
        from ..services.paper import paper_scan

        engagement = self.object
        # Someone with only the "view" permission sees the page without its actions.
        can_change = self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", engagement)
        consent_records = list(engagement.consent_records.all())
        from ..services.paper import letter_scan

        for record in consent_records:
            record.scan = paper_scan(record)
            record.letter_scan = letter_scan(record)
            record.by_letter = record.kind == "withdrawal" and '"method":"letter"' in record.payload
        return super().get_context_data(
            engagement=engagement, history=engagement.status_changes.all(),
            can_change=can_change,
            can_send=can_change and engagement.status in (Status.DRAFT, Status.SENT),
            can_record_paper=can_change and engagement.status == Status.SENT,
            paper_form=kwargs.pop("paper_form", None) or PaperAcceptanceForm(),
            access_links=engagement.access_links.all()[:5],
            has_live_link=engagement.access_links.filter(revoked_at__isnull=True).exists(),
            consent_records=consent_records,
            sealed_files=engagement.sealed_files.all(),
            # Sold by an offer page: which one and when (issue 14).
            booking=OfferBooking.objects.filter(engagement=engagement).first(),
            sent_messages=engagement.sent_messages.order_by("-sent_at", "-pk")[:200],
            may_start=self._may_start(),
            revisions=engagement.revisions.all(),
            withdrawal_letter=self._withdrawal_letter(can_change),
            letter_form=kwargs.pop("letter_form", None) or WithdrawalLetterForm(),
            can_revise=can_change and engagement.status == Status.SENT,
            **kwargs,
        )

    def _withdrawal_letter(self, can_change):
        """{"offer": True, "last_day": ...} where a consumer's withdrawal may be recorded by
        hand, {"offer": False} where the contract is accepted but has no withdrawal right (the
        page says why), else None."""
        from ..services.acceptance import accepted_rights
        from ..status import can_transition

        engagement = self.object
        if not can_change or not can_transition(engagement.status, Status.WITHDRAWN):
            return None
        if engagement.consent_records.filter(kind="withdrawal").exists():
            return None
        rights = accepted_rights(engagement)
        if rights is None:
            return None
        if not rights.get("withdrawal"):
            return {"offer": False}
        deadline = datetime.datetime.fromisoformat(rights["withdrawal_deadline"])
        return {"offer": True, "last_day": timezone.localtime(deadline).date()}

    def _may_start(self):
        from ..services.payments import may_start

        if self.object.status in (Status.DRAFT, Status.SENT, Status.DECLINED, Status.EXPIRED,
                                  Status.SUPERSEDED):
            return None
        return may_start(self.object)

    def form_valid(self, form):
        was_sent = self.object.status == Status.SENT
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
        if was_sent:  # a quote no longer on offer: its link must not show it as signable
            revoke_links(self.object)
        messages.success(self.request, _("Status changed."))
        return redirect("terms_kit_engagement:status", self.object.pk)


class PaperAcceptanceView(EngagementStatusView):
    """"Signed on paper": the scan is checked, stored, hashed and chained (services.paper)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from ..services.paper import ScanRefused, accept_on_paper

        form = PaperAcceptanceForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["scan"]
            if upload.size > PAPER_MAX_BYTES:
                form.add_error("scan", _("The file is over 10 MB: scan at 150-300 dpi, or in "
                                         "black and white."))
            else:
                try:
                    record = accept_on_paper(
                        self.object, scan=upload.read(), user=request.user,
                        signer_name=form.cleaned_data["signer_name"],
                        signer_role=form.cleaned_data["signer_role"],
                        signed_on=form.cleaned_data["signed_on"])
                except ScanRefused as exc:
                    form.add_error(exc.field, str(exc))
                except TermsKitError as exc:
                    messages.error(request, str(exc))
                    return redirect("terms_kit_engagement:status", self.object.pk)
                else:
                    messages.success(request, _(
                        "Recorded as signed on paper (record #%(sequence)s): the quote is "
                        "accepted and the client's link no longer works.")
                        % {"sequence": record.sequence})
                    return redirect("terms_kit_engagement:status", self.object.pk)
        response = self.render_to_response(self.get_context_data(
            form=self.get_form_class()(engagement=self.object), paper_form=form))
        response.status_code = 400
        return response


class WithdrawalLetterView(EngagementStatusView):
    """A consumer's withdrawal received by letter (services.paper.withdraw_by_letter)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from ..services.paper import WithdrawalRefused, withdraw_by_letter

        form = WithdrawalLetterForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["scan"]
            if upload and upload.size > PAPER_MAX_BYTES:
                form.add_error("scan", _("The file is over 10 MB: scan at 150-300 dpi, or in "
                                         "black and white."))
            else:
                try:
                    record = withdraw_by_letter(
                        self.object, user=request.user, scan=upload.read() if upload else None,
                        sent_on=form.cleaned_data["sent_on"],
                        received_on=form.cleaned_data["received_on"])
                except WithdrawalRefused as exc:
                    if exc.field == "__all__":
                        # Said at the top: the form itself is not offered for this contract.
                        messages.error(request, str(exc))
                    else:
                        form.add_error(exc.field, str(exc))
                except TermsKitError as exc:
                    messages.error(request, str(exc))
                    return redirect("terms_kit_engagement:status", self.object.pk)
                else:
                    messages.success(request, _(
                        "Withdrawal by letter recorded (record #%(sequence)s): the contract is "
                        "withdrawn. Refund every payment within 14 days of receiving the "
                        "letter, from Payments and invoices.") % {"sequence": record.sequence})
                    return redirect("terms_kit_engagement:status", self.object.pk)
        response = self.render_to_response(self.get_context_data(
            form=self.get_form_class()(engagement=self.object), letter_form=form))
        response.status_code = 400
        return response


class LetterScanView(OwnedActionMixin, View):
    """The scan of a withdrawal letter, to who may view the engagement."""

    model = Engagement

    def get(self, request, pk):
        from ..services.paper import letter_scan

        record = self.object.consent_records.filter(kind="withdrawal").first()
        scan = letter_scan(record) if record else None
        if scan is None:
            raise Http404
        name, digest, content_type = scan
        extension = name.rsplit(".", 1)[-1]
        return FileResponse(private_storage.open(name, "rb"), as_attachment=True,
                            content_type=content_type,
                            filename=f"{self.object.number}-withdrawal-letter.{extension}")


class PaperScanView(OwnedActionMixin, View):
    """The signed scan of a paper acceptance, to who may view the engagement."""

    model = Engagement

    def get(self, request, pk):
        from ..services.paper import paper_scan

        record = self.object.consent_records.filter(kind="acceptance").first()
        scan = paper_scan(record) if record else None
        if scan is None:
            raise Http404
        name, digest, content_type = scan
        extension = name.rsplit(".", 1)[-1]
        return FileResponse(private_storage.open(name, "rb"), as_attachment=True,
                            content_type=content_type,
                            filename=f"{self.object.number}-signed-on-paper.{extension}")


class DuplicateView(OwnedActionMixin, View):
    """POST: a new draft with the same terms; the wizard opens on it."""

    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        from ..services.revisions import duplicate

        copy = duplicate(self.object, request.user)
        log(instance=copy, action="wagtail.create", user=request.user)
        messages.success(request, _("New draft made from %(source)s: check it and send it.")
                         % {"source": self.object})
        return redirect("terms_kit_wizard_review", copy.pk)


class ReviseView(OwnedActionMixin, View):
    """POST: a revision of a sent quote (the old one is superseded when the revision is sent)."""

    model = Engagement
    http_method_names = ["post"]

    def post(self, request, pk):
        from ..services.revisions import revise

        try:
            revision = revise(self.object, request.user)
        except TermsKitError as exc:
            messages.error(request, str(exc))
            return redirect("terms_kit_engagement:status", pk)
        messages.success(request, _(
            "Revision of %(number)s: change what you need and send it. Quote %(number)s stays "
            "on offer until then; sending the revision supersedes it and its link stops "
            "working.") % {"number": self.object.number})
        return redirect("terms_kit_wizard_review", revision.pk)


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
