"""The clause library in the admin: clause snippets, the terms builder and the version diff.

Isolation: every snippet URL that names a clause (edit, delete, history, usage, revisions,
compare, lock, unpublish, preview...) goes through ``owned_only`` before Wagtail's own view:
no model permission is a 403, another expert's clause a 404. Listings and the chooser list
only the expert's own clauses. All of it reads the owner permission policy (``policy_for``).
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
)
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import SnippetViewSet

from ..exceptions import TermsKitError
from ..models import Clause, Engagement, TermsVersion
from ..models.base import Language
from ..models.clauses import Audience
from ..models.engagement import Channel, PaymentModel
from ..models.identity import Profession
from ..permissions import policy_for
from ..services import clauses as service
from ..services import reconsent as reconsent_service
from .ownership import OwnedActionMixin, OwnedModelForm

ANY_ACTION = ("add", "change", "delete", "view", "publish", "lock", "unlock")


def owned_only(view, model):
    """Wrap a view taking ``pk``: the policy's permission first (403), then ownership (404)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        policy = policy_for(model)
        if not policy.user_has_any_permission(request.user, ANY_ACTION):
            raise PermissionDenied
        if "pk" in kwargs:
            owned = policy.instances_user_has_any_permission_for(request.user, ANY_ACTION)
            if not owned.filter(pk=unquote(str(kwargs["pk"]))).exists():
                raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class ClauseForm(OwnedModelForm):
    """Sets the owner, offers the applicability lists as checkboxes, and checks the text in the
    sandbox (a clause that would fail when terms are assembled is refused here)."""

    payment_models = forms.MultipleChoiceField(
        label=gettext_lazy("payment models"), required=False, choices=PaymentModel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty when the clause fits every payment model."))
    professions = forms.MultipleChoiceField(
        label=gettext_lazy("professions"), required=False, choices=Profession.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty when the clause fits every profession."))
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("channels"), required=False, choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty when the clause fits every sales channel."))

    def clean(self):
        cleaned = super().clean()
        for name in ("text_fr", "text_en"):
            text = cleaned.get(name)
            if text:
                try:
                    service.check_clause_text(cleaned.get("title") or self.instance.title,
                                              str(self.fields[name].label), text)
                except service.ClauseTextError as exc:
                    self.add_error(name, str(exc))
        return cleaned


def _owned_list(view_class):
    class View_(view_class):
        def get_object_list(self):
            return super().get_object_list().owned_by(self.request.user)

    View_.__name__ = f"Owned{view_class.__name__}"
    return View_


class OwnedChosenView(SnippetChosenView):
    def get_object(self, pk):
        return self.model_class.objects.owned_by(self.request.user).get(pk=pk)


class OwnedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return self.model_class.objects.owned_by(self.request.user).filter(pk__in=pks)


class NoChooserCreateView(SnippetCreateView):
    """Clauses are created in the library, where the owner is set; the chooser's creation
    form is off (creation_form_class = None), and its URL answers 403 instead of failing."""

    def can_create(self):
        return False


class ClauseChooserViewSet(SnippetChooserViewSet):
    choose_view_class = _owned_list(ChooseView)
    choose_results_view_class = _owned_list(ChooseResultsView)
    chosen_view_class = OwnedChosenView
    chosen_multiple_view_class = OwnedChosenMultipleView
    creation_form_class = None  # clauses are created in the library, where the owner is set
    create_view_class = NoChooserCreateView

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = owned_only(pattern.callback, Clause)
        return patterns


class ClauseViewSet(SnippetViewSet):
    model = Clause
    icon = "list-ul"
    menu_label = gettext_lazy("Clause library")
    add_to_admin_menu = False
    menu_item_is_registered = True  # its menu item is in the "Terms kit" group
    base_form_class = ClauseForm
    chooser_viewset_class = ClauseChooserViewSet
    copy_view_enabled = False
    list_display = ["title", "topic", "audience", "material", "updated_at"]
    list_filter = ["topic", "audience", "material", "live"]
    search_fields = ["title", "title_en", "text_fr", "text_en"]
    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]),
        FieldRowPanel([FieldPanel("topic"), FieldPanel("audience")]),
        FieldPanel("material"),
        FieldPanel("text_fr"),
        FieldPanel("text_en"),
        FieldPanel("sources"),
        MultiFieldPanel([FieldPanel("payment_models"), FieldPanel("professions"),
                         FieldPanel("channels")], heading=gettext_lazy("Applies to")),
        PublishingPanel(),
    ]

    def get_queryset(self, request):
        return Clause.objects.owned_by(request.user)

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=ClauseForm).bind_to_model(self.model)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = owned_only(pattern.callback, Clause)
        return patterns


# --- Terms builder --------------------------------------------------------------------------

class BuilderForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200,
                            initial="Conditions générales de vente")
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=Language.choices)
    audience = forms.ChoiceField(label=gettext_lazy("clients"), choices=Audience.choices[:2])
    deposit_percent = forms.DecimalField(
        label=gettext_lazy("deposit percentage"), required=False, min_value=0, max_value=100,
        decimal_places=2, help_text=gettext_lazy("Fills {{ values.deposit_percent }}."))
    based_on = forms.ModelChoiceField(
        label=gettext_lazy("replaces version"), required=False,
        queryset=TermsVersion.objects.none(),
        help_text=gettext_lazy("The published version this one replaces: its clients are asked "
                               "again when a material clause changes."))

    def __init__(self, *args, user, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses = list(clauses)
        self.fields["based_on"].queryset = service.owned_versions(user).filter(owner=user)
        for clause in self.clauses:
            self.fields[f"use_{clause.pk}"] = forms.BooleanField(required=False, label=clause.title)
            self.fields[f"order_{clause.pk}"] = forms.IntegerField(
                required=False, min_value=1, max_value=999,
                label=_("Position of “%(clause)s”") % {"clause": clause.title})

    def rows(self):
        return [(clause, self[f"use_{clause.pk}"], self[f"order_{clause.pk}"])
                for clause in self.clauses]

    def chosen_clauses(self):
        chosen = [(self.cleaned_data.get(f"order_{clause.pk}") or 999, index, clause)
                  for index, clause in enumerate(self.clauses)
                  if self.cleaned_data.get(f"use_{clause.pk}")]
        return [clause for _order, _index, clause in sorted(chosen, key=lambda c: c[:2])]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"use_{clause.pk}") for clause in self.clauses):
            raise forms.ValidationError(_("Tick at least one clause to put in the terms."))
        return cleaned


class BuilderView(View):
    """Assemble a draft terms version from the expert's published clauses (new or redo)."""

    template_name = "terms_kit/admin/terms_builder.html"

    def dispatch(self, request, pk=None):
        policy = policy_for(TermsVersion)
        action = "change" if pk else "add"
        if not policy.user_has_permission(request.user, action):
            raise PermissionDenied
        self.terms = None
        if pk is not None:
            self.terms = get_object_or_404(
                policy.instances_user_has_permission_for(request.user, "change"), pk=pk)
            if self.terms.is_published:
                messages.warning(request, _("A published version cannot change: build a new "
                                            "version that replaces it."))
                return redirect("terms_kit_termsversion:inspect", pk)
        self.owner = self.terms.owner if self.terms else request.user
        return super().dispatch(request, pk)

    def initial(self):
        if self.terms is None or not hasattr(self.terms, "build"):
            return {}
        build = self.terms.build
        data = {"title": self.terms.title, "language": self.terms.language,
                "audience": build.audience, "deposit_percent": build.deposit_percent,
                "based_on": build.based_on_id}
        for item in build.clauses.all():
            if item.clause_id:
                data[f"use_{item.clause_id}"] = True
                data[f"order_{item.clause_id}"] = item.position
        return data

    def form(self, data=None):
        return BuilderForm(data, initial=self.initial(), user=self.owner,
                           clauses=service.usable_clauses(self.owner))

    def render(self, form):
        findings = service.publish_findings(self.terms) if self.terms else []
        return TemplateResponse(self.request, self.template_name, {
            "form": form, "terms": self.terms, "findings": findings,
            "page_title": _("Terms builder"),
            "header_title": _("Build terms from clauses"),
            "clause_add_url": reverse(Clause.snippet_viewset.get_url_name("add")),
        })

    def get(self, request, pk=None):
        return self.render(self.form())

    def post(self, request, pk=None):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form)
        data = form.cleaned_data
        try:
            terms = service.build_terms(
                self.owner, title=data["title"], language=data["language"],
                audience=data["audience"], clauses=form.chosen_clauses(),
                deposit_percent=data["deposit_percent"], based_on=data["based_on"],
                terms=self.terms)
        except TermsKitError as exc:
            form.add_error(None, str(exc))
            return self.render(form)
        log(instance=terms, action="wagtail.edit" if self.terms else "wagtail.create",
            user=request.user, content_changed=True)
        messages.success(request, _("Draft assembled from %(count)s clause(s). Check it, then "
                                    "publish it.") % {"count": len(form.chosen_clauses())})
        return redirect("terms_kit_termsversion:build", terms.pk)


class DiffView(OwnedActionMixin, View):
    """Two of the expert's versions, clause by clause (``?against=<pk>``; default: the version
    this one replaces)."""

    model = TermsVersion
    permission_required = "view"
    template_name = "terms_kit/admin/terms_diff.html"

    def get(self, request, pk):
        new = self.object
        versions = self.permission_policy.instances_user_has_permission_for(
            request.user, "view").filter(owner=new.owner).exclude(pk=new.pk)
        against = request.GET.get("against")
        build = getattr(new, "build", None)
        if against:
            old = get_object_or_404(versions, pk=against)
        elif build is not None and build.based_on_id:
            old = build.based_on
        else:
            old = versions.filter(published_at__isnull=False).first()
        changes = service.diff_versions(old, new) if old else []
        reconsent = reconsent_service.reconsent_rows(new) if old and new.is_published else []
        return TemplateResponse(request, self.template_name, {
            "new": new, "old": old, "changes": changes, "versions": versions,
            "reconsent": reconsent, "page_title": _("Compare terms versions"),
            "header_title": _("Compare terms versions"),
        })


class ReconsentSendView(OwnedActionMixin, View):
    """POST: send the re-consent link to one listed client (``engagement``) or to every
    listed client not asked yet (``all``). Only engagements of the list can be sent to."""

    model = TermsVersion
    post_permission_required = "view"
    http_method_names = ["post"]

    def post(self, request, pk):
        new = self.object
        base_url = request.build_absolute_uri("/")
        try:
            if request.POST.get("engagement"):
                engagement = get_object_or_404(Engagement, owner=new.owner,
                                               pk=request.POST["engagement"])
                sent = [reconsent_service.send_reconsent(new, engagement, request.user, base_url)]
                sent = [item for item in sent if item.link is not None]
            else:
                sent = reconsent_service.send_to_all(new, request.user, base_url)
        except (TermsKitError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            if sent:
                messages.success(request, _("Link sent to %(count)s client(s): %(numbers)s.") % {
                    "count": len(sent),
                    "numbers": ", ".join(item.request.engagement.number for item in sent)})
            else:
                messages.info(request, _("Nothing sent: each listed client already has a link "
                                         "waiting or has answered."))
        return redirect(reverse("terms_kit_termsversion:diff", args=[new.pk]) + "#reconsent")


class OwnedClauseDeleteBulkAction(DeleteBulkAction):
    """Wagtail's snippet bulk delete, for clauses: another expert's clauses are left out
    entirely (Wagtail's own lists them by name as "no permission")."""

    models = [Clause]

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        owned = [obj for obj in objects if obj.is_owned_by(self.request.user)]
        return owned, {**extra, "items_with_no_access": [
            obj for obj in extra["items_with_no_access"] if obj.is_owned_by(self.request.user)]}
