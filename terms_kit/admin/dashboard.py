"""The admin home for an expert: what to finish, what the clients did, what to do today.

Panels for Wagtail's ``construct_homepage_panels`` hook. Each lists only the engagements the
user may view (the engagements' permission policy), links every row to its engagement, and
reads its rows in a fixed number of queries whatever the number of engagements.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from ..models import AccessLink, ConsentKind, ConsentRecord, Engagement
from ..models.payments import Instalment, InstalmentState
from ..permissions import policy_for
from ..status import Status

ROWS = 10  # per list; the engagements list has the rest
SIGNED_DAYS = 30
ACTIVE = (Status.ACCEPTED, Status.DEPOSIT_DUE, Status.IN_PROGRESS)


@dataclass
class Row:
    engagement: Engagement
    url: str
    detail: str = ""
    when: object = None


def status_url(engagement):
    return reverse("terms_kit_engagement:status", args=[engagement.pk])


def _viewable(user):
    policy = policy_for(Engagement)
    if not policy.user_has_permission(user, "view"):
        return None
    return policy.instances_user_has_permission_for(user, "view")


def dashboard(user, today=None):
    """Everything the panels show, as lists of rows (None when the user sees no engagement)."""
    from ..services.payments import may_start

    engagements = _viewable(user)
    if engagements is None:
        return None
    today = today or timezone.localdate()
    data = {}

    drafts = engagements.filter(status=Status.DRAFT).select_related("client").order_by(
        "-updated_at")[:ROWS]
    data["drafts"] = [Row(e, reverse("terms_kit_wizard_review", args=[e.pk]), when=e.updated_at)
                      for e in drafts]

    opened = AccessLink.objects.filter(engagement=OuterRef("pk"), first_opened_at__isnull=False)
    sent = (engagements.filter(status=Status.SENT).select_related("client")
            .annotate(opened=Exists(opened), sent_at=Max("access_links__created_at"),
                      opened_at=Max("access_links__first_opened_at"))
            .order_by("-sent_at", "-pk"))
    data["not_opened"], data["opened"] = [], []
    for engagement in sent:
        key = "opened" if engagement.opened else "not_opened"
        if len(data[key]) < ROWS:
            data[key].append(Row(engagement, status_url(engagement),
                                 when=engagement.opened_at or engagement.sent_at))

    since = timezone.now() - datetime.timedelta(days=SIGNED_DAYS)
    signed = (ConsentRecord.objects.filter(kind=ConsentKind.ACCEPTANCE, created_at__gte=since,
                                           engagement__in=engagements)
              .select_related("engagement__client").order_by("-created_at")[:ROWS])
    data["signed"] = [Row(r.engagement, status_url(r.engagement), when=r.created_at)
                      for r in signed]

    active = (engagements.filter(status__in=ACTIVE).select_related("client", "identity")
              .prefetch_related(
                  Prefetch("instalments", queryset=Instalment.objects.order_by("position")),
                  Prefetch("consent_records",
                           queryset=ConsentRecord.objects.filter(kind=ConsentKind.ACCEPTANCE)))
              .order_by("-updated_at"))
    data["may_start"], data["waiting"] = [], []
    for engagement in active:
        answer = may_start(engagement, on=today, instalments=engagement.instalments.all())
        key = "may_start" if answer.ok else "waiting"
        if len(data[key]) < ROWS:
            data[key].append(Row(engagement, status_url(engagement),
                                 detail="" if answer.ok else answer.reasons[0]))
    data["today"] = _actions_today(engagements, today)
    return data


def _actions_today(engagements, today):
    """What the expert should do today: collect a payment that fell due, close a stale quote."""
    from ..documents.formatting import money
    from .formatting import admin_date, admin_language

    lang = admin_language()
    rows = []
    open_states = (InstalmentState.DUE, InstalmentState.PARTLY_PAID, InstalmentState.OVERDUE)
    due = (Instalment.objects.filter(engagement__in=engagements, state__in=open_states,
                                     due_date__lte=today)
           .select_related("engagement__client").order_by("due_date", "pk")[:ROWS])
    for instalment in due:
        rows.append(Row(
            instalment.engagement,
            reverse("terms_kit_engagement_ledger", args=[instalment.engagement_id]),
            detail=_("“%(label)s”: %(amount)s due since %(date)s. Record the payment when it "
                     "arrives, or remind the client.") % {
                "label": instalment.label, "amount": money(instalment.left_to_pay, lang),
                "date": admin_date(instalment.due_date)},
            when=instalment.due_date))
    stale = (engagements.filter(status=Status.SENT, validity_date__lt=today)
             .select_related("client").order_by("validity_date", "pk")[:ROWS])
    for engagement in stale:
        rows.append(Row(
            engagement, status_url(engagement),
            detail=_("The quote was valid until %(date)s: mark it expired, or revise it as a "
                     "new quote.") % {"date": admin_date(engagement.validity_date)},
            when=engagement.validity_date))
    return rows


class ExpertDashboardPanel(Component):
    """All the lists in one panel group (one set of queries for the whole home page)."""

    name = "terms_kit_dashboard"
    order = 50  # above Wagtail's own panels (recent edits 250, locked pages 300)
    template_name = "terms_kit/admin/dashboard.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        data = dashboard(self.request.user)
        sections = []
        if data is not None:
            sections = [
                ("today", gettext_lazy("What needs an action today"), data["today"],
                 gettext_lazy("Nothing is due today.")),
                ("drafts", gettext_lazy("Drafts to finish"), data["drafts"],
                 gettext_lazy("No draft.")),
                ("not-opened", gettext_lazy("Quotes sent, not opened yet"), data["not_opened"],
                 gettext_lazy("None.")),
                ("opened", gettext_lazy("Quotes opened, not signed yet"), data["opened"],
                 gettext_lazy("None.")),
                ("signed", gettext_lazy("Quotes signed in the last 30 days"), data["signed"],
                 gettext_lazy("None.")),
                ("may-start", gettext_lazy("Work may start"), data["may_start"],
                 gettext_lazy("None.")),
                ("waiting", gettext_lazy("Accepted, waiting before work may start"),
                 data["waiting"], gettext_lazy("None.")),
            ]
        return {"sections": sections, "has_engagements": data is not None,
                "wizard_url": reverse("terms_kit_wizard_index"),
                "engagements_url": reverse("terms_kit_engagement:index")}

    def render_html(self, parent_context=None):
        if _viewable(self.request.user) is None:
            return ""
        return super().render_html(parent_context)
