"""Dunning: the ladder each expert sets, pauses, the steps taken and their history.

- ``DunningLadder``: days and mode of each step. One row per expert (the default), and
  optional rows for one client or one engagement; the most specific row applies as a whole
  (engagement > client > expert > the built-in defaults).
- ``DunningPause`` / ``PauseEnd``: an invoice or a client paused until a date, with a reason
  and a source; ending a pause early adds a ``PauseEnd``, the pause itself is never edited.
- ``DunningAction``: one step decided for one invoice (its work item: awaiting approval,
  ready, done, skipped, failed). The database makes each step once per invoice and at most
  one step per invoice and day (unique constraints), whatever the number of runners.
- ``DunningEvent``: the insert-only history of each invoice's dunning: prepared, approved,
  sent, skipped (with why), failed, with the sent message and the document.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import Language, OwnedModel, OwnedQuerySet
from .client import Client
from .documents import IssuedDocument
from .engagement import Engagement
from .history import InsertOnlyModel
from .mail import SentMessage
from .payments import Invoice


class StepKind(models.TextChoices):
    COURTESY = "courtesy", _("Courtesy notice (before the due date)")
    REMINDER_1 = "reminder_1", _("First reminder")
    REMINDER_2 = "reminder_2", _("Second reminder")
    FORMAL_NOTICE = "formal_notice", _("Formal notice")
    RECOURSE = "recourse", _("Recourse file")


# The order of the ladder after the due date (the courtesy notice comes before it).
LADDER_AFTER_DUE = (StepKind.REMINDER_1, StepKind.REMINDER_2, StepKind.FORMAL_NOTICE,
                    StepKind.RECOURSE)
EMAIL_STEPS = (StepKind.COURTESY, StepKind.REMINDER_1, StepKind.REMINDER_2)
LETTER_STEPS = (StepKind.FORMAL_NOTICE, StepKind.RECOURSE)


class StepMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    APPROVAL = "approval", _("Prepare and wait for my approval")


class PauseSource(models.TextChoices):
    MANUAL = "manual", _("Set by hand")
    DISPUTE = "dispute", _("Dispute")
    PROMISE = "promise", _("Promise to pay")
    PLAN = "plan", _("Instalment plan")


DAYS = [MinValueValidator(1), MaxValueValidator(3650)]

# Built-in defaults: J+7, J+15, J+30, J+45; courtesy 3 days before, off.
DEFAULT_LADDER = {
    "enabled": True,
    "courtesy_enabled": False,
    "courtesy_days_before": 3,
    "courtesy_mode": StepMode.AUTOMATIC,
    "reminder_1_days": 7,
    "reminder_1_mode": StepMode.AUTOMATIC,
    "reminder_2_days": 15,
    "reminder_2_mode": StepMode.AUTOMATIC,
    "formal_notice_days": 30,
    "formal_notice_mode": StepMode.APPROVAL,
    "recourse_days": 45,
    "recourse_mode": StepMode.APPROVAL,
}


def _mode_field(label, default):
    return models.CharField(label, max_length=10, choices=StepMode.choices, default=default)


class DunningLadder(OwnedModel):
    client = models.ForeignKey(
        Client, verbose_name=_("only for this client"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="dunning_ladders",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("only for this engagement"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="dunning_ladders",
    )
    enabled = models.BooleanField(
        _("dunning on"), default=True,
        help_text=_("Untick to send no reminder at all under this ladder."),
    )
    courtesy_enabled = models.BooleanField(_("courtesy notice before the due date"),
                                           default=False)
    courtesy_days_before = models.PositiveIntegerField(
        _("courtesy notice, days before the due date"), default=3, validators=DAYS)
    courtesy_mode = _mode_field(_("courtesy notice"), StepMode.AUTOMATIC)
    reminder_1_days = models.PositiveIntegerField(
        _("first reminder, days after the due date"), default=7, validators=DAYS)
    reminder_1_mode = _mode_field(_("first reminder"), StepMode.AUTOMATIC)
    reminder_2_days = models.PositiveIntegerField(
        _("second reminder, days after the due date"), default=15, validators=DAYS)
    reminder_2_mode = _mode_field(_("second reminder"), StepMode.AUTOMATIC)
    formal_notice_days = models.PositiveIntegerField(
        _("formal notice, days after the due date"), default=30, validators=DAYS)
    formal_notice_mode = _mode_field(_("formal notice"), StepMode.APPROVAL)
    recourse_days = models.PositiveIntegerField(
        _("recourse file, days after the due date"), default=45, validators=DAYS)
    recourse_mode = _mode_field(_("recourse file"), StepMode.APPROVAL)

    class Meta:
        verbose_name = _("dunning ladder")
        verbose_name_plural = _("dunning ladders")
        ordering = ["owner", "client", "engagement"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(client__isnull=True, engagement__isnull=True),
                name="terms_kit_ladder_one_default_per_owner"),
            models.UniqueConstraint(
                fields=["client"], condition=Q(engagement__isnull=True),
                name="terms_kit_ladder_one_per_client"),
            models.UniqueConstraint(fields=["engagement"],
                                    name="terms_kit_ladder_one_per_engagement"),
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(engagement__isnull=True),
                name="terms_kit_ladder_client_or_engagement"),
        ]

    def __str__(self):
        if self.engagement_id:
            return str(_("Ladder of %(what)s") % {"what": self.engagement})
        if self.client_id:
            return str(_("Ladder of %(what)s") % {"what": self.client})
        return str(_("Default ladder"))

    def clean(self):
        super().clean()
        days = [self.reminder_1_days, self.reminder_2_days, self.formal_notice_days,
                self.recourse_days]
        if None not in days and days != sorted(set(days)):
            raise ValidationError(_(
                "The steps must come one after the other: first reminder, second reminder, "
                "formal notice, recourse, each later than the one before (in days after the "
                "due date)."))
        if self.client_id and self.client.owner_id != self.owner_id:
            raise ValidationError({"client": _("Choose one of your own clients.")})
        if self.engagement_id and self.engagement.owner_id != self.owner_id:
            raise ValidationError({"engagement": _("Choose one of your own engagements.")})

    def days_for(self, step):
        return getattr(self, f"{step}_days")

    def mode_for(self, step):
        return getattr(self, f"{step}_mode")


class ReminderTemplate(OwnedModel):
    """The expert's own text for one reminder e-mail and language (rendered in the sandbox)."""

    step = models.CharField(_("step"), max_length=20, choices=[
        (k.value, k.label) for k in EMAIL_STEPS])
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(
        _("text"),
        help_text=_("Placeholders: {{ client }}, {{ seller }}, {{ invoice_number }}, "
                    "{{ issue_date }}, {{ due_date }}, {{ amount_due }}, {{ days_late }}, "
                    "{{ iban }}, {{ is_business }}, {{ late_penalty_rate }}, "
                    "{{ recovery_indemnity }}."),
    )

    class Meta:
        verbose_name = _("reminder e-mail")
        verbose_name_plural = _("reminder e-mails")
        ordering = ["owner", "step", "language"]
        constraints = [models.UniqueConstraint(
            fields=["owner", "step", "language"], name="terms_kit_remindertemplate_unique")]

    def __str__(self):
        return f"{self.get_step_display()} · {self.language}"

    def clean(self):
        super().clean()
        from ..dunning.actions import SAMPLE_CONTEXT, render_text

        try:
            render_text(self.subject or "", self.body or "", SAMPLE_CONTEXT,
                        self.language or "fr")
        except Exception as exc:  # the sandbox's refusal or an unknown placeholder
            raise ValidationError({"body": _(
                "This text cannot be used: %(error)s. Use only the placeholders listed below "
                "the field, with {{ }} and {%% if %%} … {%% endif %%}.") % {"error": exc}}
            ) from None


class DunningPause(InsertOnlyModel):
    """No dunning step for this invoice (or any invoice of this client) until ``until``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dunning_pauses",
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dunning_pauses",
    )
    reason = models.CharField(_("reason"), max_length=500)
    source = models.CharField(_("source"), max_length=10, choices=PauseSource.choices,
                              default=PauseSource.MANUAL)
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_by_label = models.CharField(_("by (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dunning pause")
        verbose_name_plural = _("dunning pauses")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(invoice__isnull=False, client__isnull=True)
                           | Q(invoice__isnull=True, client__isnull=False)),
                name="terms_kit_pause_invoice_xor_client"),
            models.CheckConstraint(condition=Q(until__gte=models.F("starts_on")),
                                   name="terms_kit_pause_until_after_start"),
            models.CheckConstraint(condition=~Q(reason=""), name="terms_kit_pause_reason"),
        ]

    def __str__(self):
        return f"{self.target} · {self.starts_on} → {self.until}"

    @property
    def target(self):
        return self.invoice if self.invoice_id else self.client

    def ends_on(self):
        """The last day paused: ``until``, or the day before an early end."""
        import datetime

        end = getattr(self, "end", None)
        if end is not None:
            return min(self.until, end.ended_on - datetime.timedelta(days=1))
        return self.until


class PauseEnd(InsertOnlyModel):
    """A pause ended before its date (resumed by hand, or a plan missed): from ``ended_on``."""

    pause = models.OneToOneField(
        DunningPause, verbose_name=_("pause"), on_delete=models.PROTECT, related_name="end")
    ended_on = models.DateField(_("ended on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_by_label = models.CharField(_("by (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("end of a dunning pause")
        verbose_name_plural = _("ends of dunning pauses")

    def __str__(self):
        return f"{self.pause} · {self.ended_on}"


class ActionState(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    READY = "ready", _("Ready (being sent)")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class DunningAction(models.Model):
    """One step of the ladder decided for one invoice. Its state moves (only in
    ``terms_kit.dunning``); every move is also written to the insert-only ``DunningEvent``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
        related_name="dunning_actions",
    )
    step = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=StepMode.choices)
    planned_on = models.DateField(_("planned for"))
    decided_on = models.DateField(_("decided on"))
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ActionState.choices)
    # The amount due when the step was decided (the letter recomputes to its own date).
    amount_due = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2)
    sent_message = models.ForeignKey(
        SentMessage, verbose_name=_("message"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("document"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dunning step")
        verbose_name_plural = _("dunning steps")
        ordering = ["decided_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"],
                                    name="terms_kit_dunning_step_once"),
            models.UniqueConstraint(fields=["invoice", "decided_on"],
                                    name="terms_kit_dunning_one_step_a_day"),
        ]
        indexes = [models.Index(fields=["owner", "state"], name="terms_kit_dunact_state")]

    def __str__(self):
        return f"{self.invoice.number} · {self.get_step_display()} · {self.decided_on}"

    def is_owned_by(self, user):
        return user.is_superuser or self.owner_id == user.pk


class EventKind(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    AWAITING_APPROVAL = "awaiting_approval", _("Prepared, waiting for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")


class DunningEvent(InsertOnlyModel):
    """What happened in an invoice's dunning, in order; never edited."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="+",
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
        related_name="dunning_events",
    )
    action = models.ForeignKey(
        DunningAction, verbose_name=_("step"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    step = models.CharField(_("step"), max_length=20, choices=StepKind.choices, blank=True)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    kind = models.CharField(_("what happened"), max_length=20, choices=EventKind.choices)
    note = models.TextField(_("why / note"), blank=True)
    sent_message = models.ForeignKey(
        SentMessage, verbose_name=_("message"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("document"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    by_label = models.CharField(_("by (name)"), max_length=200, blank=True)
    happened_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dunning event")
        verbose_name_plural = _("dunning events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.invoice_id} · {self.step} · {self.kind}"
