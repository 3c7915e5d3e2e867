"""Instalment plans (échéanciers): a late client's overdue invoices paid in several instalments.

Only ``services/plans.py`` writes these. A plan is offered by the expert, becomes a numbered,
hashed document, and is accepted by the client through the acceptance flow (its own link, the
e-mail code, one consent sentence, the consent chain and a sealed pack). The covered invoices'
money still goes through Payment and Allocation: a plan's instalments are paid by what the
covered invoices receive, in order (services/plans.py ``progress``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .acceptance import ConsentRecord, SealedFile
from .documents import IssuedDocument
from .engagement import MONEY, Engagement
from .history import InsertOnlyModel
from .payments import Invoice


class PlanState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    KEPT = "kept", _("Kept")
    MISSED = "missed", _("Missed")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


MONEY_ZERO = Decimal("0.00")
# A live plan holds its invoices: no second plan may cover them, and their dunning pauses.
LIVE_STATES = (PlanState.OFFERED, PlanState.ACCEPTED, PlanState.KEPT)
# Accepted and not over: its instalments are checked every day.
RUNNING_STATES = (PlanState.ACCEPTED, PlanState.KEPT)


class InstalmentPlan(models.Model):
    """One offer of an instalment plan for overdue invoices of one engagement.

    The figures (debt, instalments) are frozen when it is offered; only ``state`` and the
    dates of what happened next change, and each change adds a ``PlanEvent``.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="instalment_plans",
    )
    number = models.CharField(_("number"), max_length=40)
    year = models.PositiveIntegerField(_("numbering year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices,
                             default=PlanState.OFFERED)
    language = models.CharField(_("language"), max_length=2)
    invoices = models.ManyToManyField(Invoice, verbose_name=_("invoices covered"),
                                      through="PlanInvoice", related_name="instalment_plans")
    debt = models.DecimalField(_("debt covered (incl. VAT)"), **MONEY)
    offered_on = models.DateField(_("offered on"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("offered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64)
    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("document"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    missed_on = models.DateField(_("missed on"), null=True, blank=True)
    missed_position = models.PositiveIntegerField(_("instalment missed"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "sequence"],
                                    name="terms_kit_plan_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} · {self.get_state_display()}"

    def is_owned_by(self, user):
        return user.is_superuser or self.owner_id == user.pk

    @property
    def is_live(self):
        return self.state in LIVE_STATES

    @property
    def total(self):
        return sum((i.amount for i in self.instalments.all()), MONEY_ZERO)


class PlanInvoice(models.Model):
    """An invoice a plan covers, with what was left to pay on it when the plan was offered."""

    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE, related_name="covered")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    outstanding = models.DecimalField(_("outstanding when offered"), **MONEY)

    class Meta:
        verbose_name = _("invoice covered by a plan")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "invoice"],
                                               name="terms_kit_plan_invoice_unique")]

    def __str__(self):
        return f"{self.plan.number} · {self.invoice.number} · {self.outstanding}"


class PlanInstalment(models.Model):
    """One date and amount of a plan (frozen when offered)."""

    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE,
                             related_name="instalments")
    position = models.PositiveIntegerField(_("position"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount incl. VAT"), **MONEY)

    class Meta:
        verbose_name = _("plan instalment")
        verbose_name_plural = _("plan instalments")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"],
                                               name="terms_kit_plan_instalment_unique")]

    def __str__(self):
        return f"{self.plan.number} #{self.position} · {self.due_date} · {self.amount}"


class PlanAcceptance(InsertOnlyModel):
    """The client's acceptance of a plan: its consent record and sealed pack. One per plan,
    enforced by the database (two concurrent acceptances cannot both be stored)."""

    plan = models.OneToOneField(InstalmentPlan, on_delete=models.PROTECT,
                                related_name="acceptance")
    record = models.OneToOneField(ConsentRecord, on_delete=models.PROTECT, related_name="+")
    sealed = models.OneToOneField(SealedFile, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan acceptance")
        verbose_name_plural = _("plan acceptances")


class PlanEvent(InsertOnlyModel):
    """What happened to a plan, in order: offered, accepted, kept, missed, completed..."""

    plan = models.ForeignKey(InstalmentPlan, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=PlanState.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    on = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    user_label = models.CharField(_("by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["at", "pk"]
