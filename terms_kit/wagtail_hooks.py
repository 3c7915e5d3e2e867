"""Registers the "Terms kit" admin menu: identities, clients, engagements, terms versions.

Each model's permission policy (``terms_kit.permissions``, registered in the app's
``ready()``) is the one rule for listing, editing and the actions (status, send, revoke,
documents, publish), which are views of the model's viewset.
"""

from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter

from .admin import acceptance, clauses, documents, views
from .admin.files import ExpertTemplateForm
from .admin.formatting import admin_date
from .admin.ownership import EngagementForm, OwnedModelForm
from .models import (
    BusinessIdentity,
    Client,
    DunningLadder,
    Engagement,
    ExpertTemplate,
    ReminderTemplate,
    TermsVersion,
)
from .models.audit import OwnedLogEntry
from .models.base import OwnedModel
from .services.status import STATUS_LOG_ACTION
from .status import Status
from .wizard import urls as wizard_urls


class OwnedViewSet(ModelViewSet):
    """A model viewset where each expert sees and edits only their own records."""

    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = views.OwnedIndexView
    edit_view_class = views.OwnedEditView
    delete_view_class = views.OwnedDeleteView
    inspect_view_class = views.OwnedInspectView
    history_view_class = views.OwnedHistoryView
    usage_view_class = views.OwnedUsageView

    base_form_class = OwnedModelForm

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(
            self.model
        )


class VersionedViewSet(OwnedViewSet):
    """Records a sent quote points at: edited as a new version, never deleted."""

    edit_view_class = views.VersionedEditView
    delete_view_class = views.VersionedDeleteView


class BusinessIdentityViewSet(VersionedViewSet):
    model = BusinessIdentity
    name = "terms_kit_identity"
    url_prefix = "terms-kit/identities"
    icon = "user"
    menu_label = _("Business identities")
    list_display = ["legal_name", "legal_form", "siren", "vat_regime", "profession"]
    list_filter = ["legal_form", "vat_regime", "profession"]
    search_fields = ["legal_name", "trade_name", "siren", "email"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("legal_name"),
                FieldPanel("trade_name"),
                FieldRowPanel([FieldPanel("legal_form"), FieldPanel("profession")]),
                FieldRowPanel([FieldPanel("siren"), FieldPanel("siret")]),
                FieldRowPanel([FieldPanel("vat_regime"), FieldPanel("vat_number")]),
                FieldRowPanel([FieldPanel("vat_on_debits"), FieldPanel("einvoicing_from")]),
            ],
            heading=_("Business"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("address_line1"),
                FieldPanel("address_line2"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city"), FieldPanel("country")]),
                FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                FieldPanel("website"),
            ],
            heading=_("Address and contact"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("iban"), FieldPanel("bic")])], heading=_("Bank")
        ),
        MultiFieldPanel(
            [
                FieldPanel("insurer"),
                FieldRowPanel([FieldPanel("insurance_policy"), FieldPanel("insurance_coverage")]),
            ],
            heading=_("Professional insurance"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("mediator_name"),
                FieldPanel("mediator_website"),
                FieldPanel("mediator_address"),
            ],
            heading=_("Consumer mediator"),
        ),
    ]


class ClientViewSet(VersionedViewSet):
    model = Client
    name = "terms_kit_client"
    url_prefix = "terms-kit/clients"
    icon = "group"
    menu_label = _("Clients")
    list_display = ["name", "kind", "email", "city", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "contact_name", "email", "siren", "city"]
    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("language")]),
        FieldPanel("name"),
        FieldPanel("contact_name"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        MultiFieldPanel(
            [
                FieldPanel("address_line1"),
                FieldPanel("address_line2"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city"), FieldPanel("country")]),
            ],
            heading=_("Address"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("siren"), FieldPanel("vat_number")]),
                FieldRowPanel([FieldPanel("headcount"), FieldPanel("outside_core_activity")]),
            ],
            heading=_("Business client"),
        ),
    ]


class EngagementViewSet(OwnedViewSet):
    model = Engagement
    name = "terms_kit_engagement"
    url_prefix = "terms-kit/engagements"
    icon = "doc-full"
    menu_label = _("Engagements")
    base_form_class = EngagementForm
    index_view_class = views.EngagementIndexView
    edit_view_class = views.EngagementEditView
    delete_view_class = views.EngagementDeleteView
    list_filter = ["status", "channel", "payment_model", "client__kind"]
    search_fields = ["number", "title", "client__name", "service_description"]
    inspect_view_fields = [
        "number", "status", "identity", "client", "terms_version", "issue_date", "validity_date",
        "channel", "title", "service_description", "deliverables", "payment_model",
        "deposit_percent", "deposit_label", "due_days", "late_penalty_rate",
    ]
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("identity"), FieldPanel("client")]),
                FieldRowPanel([FieldPanel("terms_version"), FieldPanel("language")]),
                FieldRowPanel([FieldPanel("issue_date"), FieldPanel("validity_date")]),
                FieldPanel("channel"),
            ],
            heading=_("Parties"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("service_description"),
                FieldPanel("deliverables"),
                FieldPanel("place"),
                FieldRowPanel(
                    [FieldPanel("start_date"), FieldPanel("end_date"), FieldPanel("duration")]
                ),
                FieldPanel("early_start_requested"),
                FieldPanel("operation_category"),
                FieldRowPanel([FieldPanel("delivery_line1"), FieldPanel("delivery_line2")]),
                FieldRowPanel([FieldPanel("delivery_postcode"), FieldPanel("delivery_city"),
                               FieldPanel("delivery_country")]),
            ],
            heading=_("Service"),
        ),
        InlinePanel("lines", heading=_("Lines"), label=_("Line"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("payment_model"),
                FieldRowPanel([FieldPanel("deposit_percent"), FieldPanel("deposit_label")]),
                FieldRowPanel([FieldPanel("due_days"), FieldPanel("due_basis")]),
                FieldRowPanel(
                    [
                        FieldPanel("early_payment_discount_percent"),
                        FieldPanel("early_payment_discount_days"),
                    ]
                ),
                FieldRowPanel([FieldPanel("late_penalty_rate"), FieldPanel("recovery_indemnity")]),
                FieldRowPanel(
                    [FieldPanel("time_credit_hours"), FieldPanel("time_credit_validity_months"),
                     FieldPanel("unused_credit")]
                ),
            ],
            heading=_("Payment conditions"),
        ),
        InlinePanel("milestones", heading=_("Milestones"), label=_("Milestone")),
        MultiFieldPanel(
            [FieldPanel("refund_terms"), FieldPanel("cancellation_terms")],
            heading=_("Refund and cancellation"),
        ),
    ]

    @property
    def list_display(self):
        return [
            "title",
            Column("display_number", label=_("Quote number"), sort_key="number"),
            "client",
            StatusTagColumn("status", label=_("Status"), accessor="get_status_display",
                            primary=lambda obj: obj.status != "draft"),
            Column("issue_date", label=_("Issue date"), sort_key="issue_date",
                   accessor=lambda engagement: admin_date(engagement.issue_date)),
            Column("may_start", label=_("Work may start"), accessor=_may_start_label),
        ]

    def get_urlpatterns(self):
        # The actions share the viewset's policy: "view" to see, "change" to act.
        actions = [
            ("status", views.EngagementStatusView),
            ("paper", views.PaperAcceptanceView),
            ("paper-scan", views.PaperScanView),
            ("withdrawal-letter", views.WithdrawalLetterView),
            ("withdrawal-letter-scan", views.LetterScanView),
            ("duplicate", views.DuplicateView),
            ("revise", views.ReviseView),
            ("send", acceptance.SendToClientView),
            ("revoke-links", acceptance.RevokeLinksView),
            ("documents", documents.EngagementDocumentsView),
            ("documents/generate", documents.GenerateDocumentsView),
            ("documents/retry", documents.RetryDocumentRequestView),
        ]
        return [
            *super().get_urlpatterns(),
            *(path(f"<int:pk>/{route}/", self.construct_view(view_class),
                   name=route.replace("/", "_").replace("-", "_"))
              for route, view_class in actions),
        ]


def _may_start_label(engagement):
    """"Yes", or the first reason why not (a few queries a row; the list is paginated)."""
    from .services.payments import may_start

    if engagement.status in ("draft", "sent", "declined", "expired", "superseded"):
        return "—"
    answer = may_start(engagement)
    return _("Yes") if answer.ok else answer.reasons[0]


class TermsVersionViewSet(VersionedViewSet):
    model = TermsVersion
    name = "terms_kit_termsversion"
    url_prefix = "terms-kit/terms"
    icon = "clipboard-list"
    menu_label = _("Terms of sale")
    index_view_class = views.TermsIndexView
    list_display = ["title", "version", "language", "published_at", "content_hash"]
    list_filter = ["language"]
    search_fields = ["title", "body"]
    inspect_view_fields = ["title", "version", "language", "published_at", "content_hash", "body"]
    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("language")]),
        FieldPanel("body"),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/publish/", self.construct_view(views.PublishTermsView),
                 name="publish"),
            path("build/", clauses.BuilderView.as_view(), name="build_new"),
            path("<int:pk>/build/", clauses.BuilderView.as_view(), name="build"),
            path("<int:pk>/diff/", self.construct_view(clauses.DiffView), name="diff"),
            path("<int:pk>/reconsent/", self.construct_view(clauses.ReconsentSendView),
                 name="reconsent"),
        ]


class ExpertTemplateViewSet(OwnedViewSet):
    """Upload your own DOCX templates; one failing `termskit lint-template` is refused."""

    model = ExpertTemplate
    name = "terms_kit_template"
    url_prefix = "terms-kit/templates"
    icon = "doc-empty"
    menu_label = _("Document templates")
    base_form_class = ExpertTemplateForm  # links the current file to the owner-checked download
    list_display = ["kind", "language", "file", "updated_at"]
    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("language")]), FieldPanel("file")]


class DunningLadderForm(OwnedModelForm):
    """The engagement of a per-engagement ladder is one of the expert's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("engagement")
        if field is not None and self.instance.owner_id:
            field.queryset = field.queryset.filter(owner_id=self.instance.owner_id)


class DunningLadderViewSet(OwnedViewSet):
    """When each reminder goes, and whether it waits for approval: per expert, client or
    engagement (the most specific applies)."""

    model = DunningLadder
    name = "terms_kit_dunningladder"
    url_prefix = "terms-kit/dunning/ladders"
    icon = "list-ol"
    menu_label = _("Dunning ladders")
    base_form_class = DunningLadderForm
    list_display = ["__str__", "enabled", "reminder_1_days", "reminder_2_days",
                    "formal_notice_days", "recourse_days"]
    panels = [
        FieldRowPanel([FieldPanel("client"), FieldPanel("engagement")]),
        FieldPanel("enabled"),
        FieldRowPanel([FieldPanel("courtesy_enabled"), FieldPanel("courtesy_days_before"),
                       FieldPanel("courtesy_mode")]),
        FieldRowPanel([FieldPanel("reminder_1_days"), FieldPanel("reminder_1_mode")]),
        FieldRowPanel([FieldPanel("reminder_2_days"), FieldPanel("reminder_2_mode")]),
        FieldRowPanel([FieldPanel("formal_notice_days"), FieldPanel("formal_notice_mode")]),
        FieldRowPanel([FieldPanel("recourse_days"), FieldPanel("recourse_mode")]),
    ]


class ReminderTemplateViewSet(OwnedViewSet):
    """The expert's own reminder e-mails (sandboxed placeholders), per step and language."""

    model = ReminderTemplate
    name = "terms_kit_remindertemplate"
    url_prefix = "terms-kit/dunning/reminder-emails"
    icon = "mail"
    menu_label = _("Reminder e-mails")
    list_display = ["step", "language", "subject", "updated_at"]
    panels = [FieldRowPanel([FieldPanel("step"), FieldPanel("language")]),
              FieldPanel("subject"), FieldPanel("body")]


class TermsKitGroup(ModelViewSetGroup):
    menu_label = _("Terms kit")
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (EngagementViewSet, ClientViewSet, BusinessIdentityViewSet, TermsVersionViewSet,
             clauses.ClauseViewSet, ExpertTemplateViewSet, DunningLadderViewSet,
             ReminderTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return TermsKitGroup()


# After Wagtail's own snippet bulk delete (order), so this one is the clauses' delete.
hooks.register("register_bulk_action", clauses.OwnedClauseDeleteBulkAction, order=100)


@hooks.register("register_admin_urls")
def register_download_urls():
    return [
        path(
            "terms-kit/documents/<int:pk>/<str:fmt>/",
            documents.download_document,
            name="terms_kit_document_download",
        ),
        path(
            "terms-kit/templates/<int:pk>/download/",
            documents.download_expert_template,
            name="terms_kit_template_download",
        ),
        path(
            "terms-kit/sealed/<int:pk>/",
            acceptance.sealed_download,
            name="terms_kit_sealed_download",
        ),
    ]


@hooks.register("register_admin_urls")
def register_payment_urls():
    from .admin import payments, plans

    base = "terms-kit/engagements/<int:pk>/ledger/"
    return [
        path(base, payments.EngagementLedgerView.as_view(), name="terms_kit_engagement_ledger"),
        path(base + "pay/", payments.record_payment_view, name="terms_kit_ledger_pay"),
        path(base + "milestones/<int:instalment_pk>/done/", payments.milestone_done_view,
             name="terms_kit_ledger_milestone_done"),
        path(base + "holds/<int:instalment_pk>/terminal/", payments.terminal_hold_view,
             name="terms_kit_ledger_terminal_hold"),
        path(base + "completed/", payments.completed_view, name="terms_kit_ledger_completed"),
        path(base + "waiting-invoices/", payments.issue_waiting_view,
             name="terms_kit_ledger_issue_waiting"),
        path(base + "credit/", payments.credit_use_view, name="terms_kit_ledger_credit"),
        path(base + "credit/refund/", payments.credit_refund_view,
             name="terms_kit_ledger_credit_refund"),
        path(base + "credit/expired/", payments.credit_expired_view,
             name="terms_kit_ledger_credit_expired"),
        path(base + "act/", payments.act_view, name="terms_kit_ledger_act"),
        path(base + "refund/", payments.refund_view, name="terms_kit_ledger_refund"),
        path(base + "payments/<int:payment_pk>/receipt/", payments.receipt_view,
             name="terms_kit_ledger_receipt"),
        path("terms-kit/invoices/<int:pk>/<str:fmt>/", payments.invoice_download,
             name="terms_kit_invoice_download"),
        path("terms-kit/engagements/<int:pk>/plans/", plans.plans_view,
             name="terms_kit_engagement_plans"),
        path("terms-kit/engagements/<int:pk>/plans/<int:plan_pk>/withdraw/",
             plans.plan_withdraw_view, name="terms_kit_plan_withdraw"),
    ]


@hooks.register("register_admin_urls")
def register_notice_urls():
    from .admin import notices

    base = "terms-kit/engagements/<int:pk>/notices/"
    return [
        path(base, notices.EngagementNoticesView.as_view(),
             name="terms_kit_engagement_notices"),
        path(base + "issue/", notices.issue_notice_view, name="terms_kit_notice_issue"),
        path(base + "<int:notice_pk>/send/", notices.send_notice_view,
             name="terms_kit_notice_send"),
        path(base + "recourse/", notices.build_recourse_view, name="terms_kit_recourse_build"),
        path("terms-kit/notices/<int:pk>/<str:fmt>/", notices.notice_download,
             name="terms_kit_notice_download"),
        path("terms-kit/recourse-files/<int:pk>/", notices.recourse_download,
             name="terms_kit_recourse_download"),
    ]


@hooks.register("register_admin_urls")
def register_wizard_urls():
    return wizard_urls.urlpatterns


@hooks.register("register_admin_menu_item")
def register_wizard_menu_item():
    return MenuItem(
        _("New engagement (wizard)"), reverse_lazy("terms_kit_wizard_index"), icon_name="form",
        order=199,
    )


class StatusChangeFormatter(LogFormatter):
    label = _("Change status")

    def format_message(self, log_entry):
        labels = dict(Status.choices)
        return _("Status changed from %(from)s to %(to)s") % {
            "from": labels.get(log_entry.data.get("from"), log_entry.data.get("from")),
            "to": labels.get(log_entry.data.get("to"), log_entry.data.get("to")),
        }


@hooks.register("register_log_actions")
def register_owned_history(actions):
    # Every expert-owned record logs with its owner, so history is shown per expert.
    actions.register_model(OwnedModel, OwnedLogEntry)
    actions.register_action(STATUS_LOG_ACTION)(StatusChangeFormatter)


@hooks.register("register_admin_urls")
def register_card_payment_urls():
    from .admin import online_payments

    return [
        path(
            "terms-kit/engagements/<int:pk>/card-payments/",
            online_payments.card_payments_view,
            name="terms_kit_card_payments",
        ),
        path(
            "terms-kit/engagements/<int:pk>/card-payments/<int:checkout_id>/<slug:action>/",
            online_payments.card_action_view,
            name="terms_kit_card_action",
        ),
        path(
            "terms-kit/engagements/<int:pk>/card-payments/refund/<int:payment_id>/",
            online_payments.card_refund_view,
            name="terms_kit_card_refund",
        ),
    ]


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    from .admin.dashboard import ExpertDashboardPanel

    panels.append(ExpertDashboardPanel(request))


@hooks.register("insert_global_admin_css")
def admin_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("terms_kit/admin.css"))


@hooks.register("register_admin_urls")
def register_dunning_urls():
    from .admin import dunning

    return [
        path("terms-kit/dunning/", dunning.DunningQueueView.as_view(),
             name="terms_kit_dunning_queue"),
        path("terms-kit/dunning/steps/<int:pk>/approve/", dunning.approve_view,
             name="terms_kit_dunning_approve"),
        path("terms-kit/dunning/steps/<int:pk>/skip/", dunning.skip_view,
             name="terms_kit_dunning_skip"),
        path("terms-kit/dunning/invoices/<int:pk>/", dunning.InvoiceDunningView.as_view(),
             name="terms_kit_invoice_dunning"),
        path("terms-kit/dunning/invoices/<int:pk>/pause/", dunning.invoice_pause_view,
             name="terms_kit_invoice_dunning_pause"),
        path("terms-kit/dunning/invoices/<int:pk>/resume/", dunning.invoice_resume_view,
             name="terms_kit_invoice_dunning_resume"),
        path("terms-kit/dunning/clients/<int:pk>/pause/", dunning.client_pause_view,
             name="terms_kit_client_dunning_pause"),
        path("terms-kit/dunning/clients/<int:pk>/resume/", dunning.client_resume_view,
             name="terms_kit_client_dunning_resume"),
    ]


@hooks.register("register_admin_menu_item")
def register_dunning_menu_item():
    return MenuItem(_("Dunning"), reverse_lazy("terms_kit_dunning_queue"),
                    icon_name="warning", order=201)


@hooks.register("construct_homepage_panels")
def add_dunning_panel(request, panels):
    from .admin import dunning

    dunning.add_panel(request, panels)


@hooks.register("register_admin_urls")
def register_figures_urls():
    from .admin import figures

    return [path("terms-kit/official-figures/", figures.figures_view,
                 name="terms_kit_official_figures")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_figures_menu_item():
    return SuperuserMenuItem(_("Official figures"), reverse_lazy("terms_kit_official_figures"),
                             icon_name="date", order=900)


@hooks.register("register_admin_urls")
def register_offer_urls():
    from .admin import offers

    return [path("terms-kit/offers/<int:page_id>/check/", offers.offer_check_view,
                 name="terms_kit_offer_check")]


@hooks.register("register_page_header_buttons")
def offer_check_button(page, user, view_name=None, next_url=None):
    """On an offer page's edit view: the checker's view of a booking, per kind of client."""
    from wagtail.admin.widgets import Button

    from .models import OfferPage

    if isinstance(page.specific_deferred, OfferPage) and (
            user.is_superuser or page.specific_deferred.expert_id == user.pk):
        yield Button(_("Check bookings"), reverse("terms_kit_offer_check", args=[page.pk]),
                     icon_name="tasks", priority=60)
