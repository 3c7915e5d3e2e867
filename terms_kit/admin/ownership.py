"""Per-expert isolation in the admin: every queryset, object and choice is the expert's own.

A superuser sees everything. Anyone else gets a 404 for another expert's record, so the
admin never confirms that it exists.
"""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm

from ..money import compute_totals
from ..payment_plan import payment_plan_errors
from ..permissions import policy_for

OWNED_RELATIONS = ("identity", "client", "terms_version")


class OwnedListingMixin:
    """For Wagtail's index views: only the expert's own records are listed and searched."""

    def get_base_queryset(self):
        return super().get_base_queryset().owned_by(self.request.user)


class OwnedObjectMixin:
    """For Wagtail's single-object views: another expert's record is a 404."""

    def get_object(self, *args, **kwargs):
        # Wagtail loads the object in setup(), before its permission check in dispatch():
        # check the permission first, so a user without it gets a 403, not a 404.
        required = ([self.permission_required] if self.permission_required
                    else self.any_permission_required or [])
        if required and not self.permission_policy.user_has_any_permission(
                self.request.user, required):
            raise PermissionDenied
        obj = super().get_object(*args, **kwargs)
        if not obj.is_owned_by(self.request.user):
            raise Http404
        return obj


class OwnedActionMixin:
    """For an action on one record (a viewset's extra view): the policy's rule, as Wagtail's
    own views apply it.

    No model permission for the action: 403 (Wagtail's admin turns it into a redirect with a
    message). Not one of the expert's records: 404. ``self.object`` is then the record.
    ``permission_required`` is the action for a GET, ``post_permission_required`` for a POST.
    """

    model = None
    permission_required = "view"
    post_permission_required = "change"

    @cached_property
    def permission_policy(self):
        return policy_for(self.model)

    def required_action(self, request):
        return self.post_permission_required if request.method == "POST" else (
            self.permission_required)

    def dispatch(self, request, *args, **kwargs):
        action = self.required_action(request)
        policy = self.permission_policy
        if not policy.user_has_permission(request.user, action):
            raise PermissionDenied
        self.object = get_object_or_404(
            policy.instances_user_has_permission_for(request.user, action), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)


class OwnedModelForm(WagtailAdminModelForm):
    """Sets the owner of a new record and offers only the expert's own related records."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None:
            return
        if self.instance.owner_id is None:
            self.instance.owner = user
        owner = self.instance.owner
        for name in OWNED_RELATIONS:
            field = self.fields.get(name)
            if field is not None:
                # Even a superuser editing an expert's record picks among that expert's records.
                field.queryset = field.queryset.filter(owner=owner)
        for name in ("identity", "client"):
            field = self.fields.get(name)
            if field is not None:
                # A record replaced by a newer version stays for the quotes sent with it only
                # (the one already chosen stays in the list, so the form stays valid).
                current = getattr(self.instance, f"{name}_id", None)
                field.queryset = field.queryset.filter(
                    Q(newer_versions__isnull=True) | Q(pk=current)).distinct()
        if "terms_version" in self.fields:
            self.fields["terms_version"].queryset = self.fields["terms_version"].queryset.filter(
                published_at__isnull=False
            )


class EngagementForm(OwnedModelForm):
    """Adds the payment-plan consistency rules, which need the lines and milestones."""

    def clean(self):
        cleaned = super().clean()
        lines, milestones = self.formsets["lines"], self.formsets["milestones"]
        if not (lines.is_valid() and milestones.is_valid()):
            return cleaned  # their own errors are shown next to them

        def kept(formset):
            return [form.cleaned_data for form in formset.forms
                    if form.cleaned_data and not form.cleaned_data.get("DELETE")]

        line_objects = [SimpleNamespace(**data) for data in kept(lines)]
        problems = payment_plan_errors(
            cleaned.get("payment_model"),
            cleaned.get("deposit_percent"),
            [data["amount"] for data in kept(milestones)],
            compute_totals(line_objects).total_excl_vat,
        )
        for field, message in problems.items():
            self.add_error(None if field == "milestones" else field, message)
        return cleaned
