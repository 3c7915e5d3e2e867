"""The clause library: an expert's reusable clauses, and the terms versions built from them.

A clause is a Wagtail snippet with drafts, revisions, locking and scheduled publishing. Its
text may use a few fields (``{{ expert.legal_name }}``, ``{{ values.deposit_percent }}``...)
that are filled only in the document sandbox when a terms version is assembled. A terms
version built from clauses keeps, once published, a frozen copy of each clause as it was
(``BuiltClause``): the diff and the re-consent list read those copies, never the live clause.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin

from .base import OwnedModel


class Topic(models.TextChoices):
    PURPOSE = "purpose", _("Purpose and scope")
    ORDER = "order", _("Order and acceptance")
    PRICE = "price", _("Prices")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")
    PENALTIES = "penalties", _("Late penalties and the 40 € recovery indemnity")
    DEPOSIT = "deposit", _("Deposit")
    CANCELLATION = "cancellation", _("Cancellation and refunds")
    WITHDRAWAL = "withdrawal", _("Right of withdrawal")
    MEDIATOR = "mediator", _("Consumer mediator")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property")
    LIABILITY = "liability", _("Liability")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")
    PERSONAL_DATA = "personal_data", _("Personal data")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    APPLICABLE_LAW = "applicable_law", _("Applicable law and courts")
    LAWYER_FEES = "lawyer_fees", _("Lawyer: fee agreement")
    TRAINING = "training", _("Training: contract under L6353")
    THERAPIST = "therapist", _("Therapist: nature of the care")


class Audience(models.TextChoices):
    BUSINESS = "business", _("Business clients")
    CONSUMER = "consumer", _("Consumers")
    BOTH = "both", _("Both")


class Clause(DraftStateMixin, LockableMixin, RevisionMixin, OwnedModel):
    """One clause of an expert's terms of sale, in French and English."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(
        _("English title"), max_length=200, blank=True,
        help_text=_("The clause's heading in English terms; the French title when empty."))
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices)
    audience = models.CharField(
        _("applies to"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    payment_models = models.JSONField(
        _("payment models"), default=list, blank=True,
        help_text=_("Leave empty when the clause fits every payment model."))
    professions = models.JSONField(
        _("professions"), default=list, blank=True,
        help_text=_("Leave empty when the clause fits every profession."))
    channels = models.JSONField(
        _("channels"), default=list, blank=True,
        help_text=_("Leave empty when the clause fits every sales channel."))
    text_fr = models.TextField(
        _("French text"),
        help_text=_("Fields such as {{ expert.legal_name }} or {{ values.deposit_percent }} are "
                    "filled in when the terms are assembled."))
    text_en = models.TextField(_("English text"), blank=True)
    material = models.BooleanField(
        _("material"), default=False,
        help_text=_("A change to this clause asks clients who accepted the old terms to accept "
                    "the new ones."))
    sources = models.CharField(
        _("sources"), max_length=300, blank=True,
        help_text=_("The articles of law the clause applies, e.g. C. com. L441-10."))
    starter_key = models.CharField(
        _("starter clause"), max_length=60, blank=True, editable=False,
        help_text=_("The starter clause this one was copied from."))
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="clause")

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["owner", "topic", "title"]
        # Wagtail adds these for registered snippets after migrating; declared here too so
        # they exist whatever the order URLs and migrations load in (tests, fresh installs).
        permissions = [("publish_clause", "Can publish clause"),
                       ("lock_clause", "Can lock clause"),
                       ("unlock_clause", "Can unlock clause")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "starter_key"], condition=~models.Q(starter_key=""),
                name="terms_kit_clause_starter_once_per_owner"),
        ]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def text(self, language):
        return self.text_en if language == "en" and self.text_en.strip() else self.text_fr

    def heading(self, language):
        """The title in ``language``: English terms use the English title when there is one."""
        return self.title_en if language == "en" and self.title_en.strip() else self.title


class TermsBuild(models.Model):
    """How a terms version was assembled: audience, values of the fields, version it follows."""

    terms_version = models.OneToOneField(
        "terms_kit.TermsVersion", verbose_name=_("terms version"), on_delete=models.CASCADE,
        related_name="build")
    audience = models.CharField(_("clients"), max_length=10, choices=Audience.choices[:2])
    deposit_percent = models.DecimalField(
        _("deposit percentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    based_on = models.ForeignKey(
        "terms_kit.TermsVersion", verbose_name=_("replaces version"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("terms build")
        verbose_name_plural = _("terms builds")

    def __str__(self):
        return str(self.terms_version)


class BuiltClause(models.Model):
    """One clause of a built terms version, in order; the text is frozen at publication."""

    build = models.ForeignKey(TermsBuild, on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveIntegerField(_("position"))
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    revision = models.ForeignKey("wagtailcore.Revision", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    material = models.BooleanField(_("material"), default=False)

    class Meta:
        ordering = ["build", "position"]
        verbose_name = _("clause of a terms version")
        verbose_name_plural = _("clauses of a terms version")

    def __str__(self):
        return f"{self.position}. {self.title}"
