"""Per-expert isolation in the admin: every queryset, object and choice is the expert's own.

A superuser sees everything. Anyone else gets a 404 for another expert's record, so the
admin never confirms that it exists.
"""

from django.http import Http404
from wagtail.admin.forms import WagtailAdminModelForm

OWNED_RELATIONS = ("identity", "client", "terms_version")


class OwnedObjectsMixin:
    """For Wagtail's generic model views: listings and single objects filtered by owner."""

    def get_base_queryset(self):
        return super().get_base_queryset().owned_by(self.request.user)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not obj.is_owned_by(self.request.user):
            raise Http404
        return obj


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
        if "terms_version" in self.fields:
            self.fields["terms_version"].queryset = self.fields["terms_version"].queryset.filter(
                published_at__isnull=False
            )
