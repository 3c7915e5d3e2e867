"""Client access links, e-mail codes, the chained consent records and the sealed files.

Only services/acceptance.py writes these. Tokens and codes are stored as hashes: a copy of
the database does not let anyone open a client's page.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..storage import get_storage
from .documents import IssuedDocument
from .engagement import Engagement
from .history import InsertOnlyModel


class AccessLink(models.Model):
    """The client's personal link to one engagement. A new link revokes the older ones."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="access_links",
    )
    token_sha256 = models.CharField(_("token SHA-256"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=2)
    email = models.EmailField(_("client e-mail"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The exact issued files this link shows; their SHA-256 go into the consent record.
    documents = models.ManyToManyField(
        IssuedDocument, verbose_name=_("documents shown"), related_name="+"
    )
    # Set when the link asks the client to accept an instalment plan of the (already accepted)
    # engagement instead of its quote: same page, code, consent chain and seal (docs/acceptance.md).
    plan = models.ForeignKey(
        "terms_kit.InstalmentPlan", verbose_name=_("instalment plan"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="links",
    )
    # Set when the link asks the client of an accepted engagement to accept a new terms
    # version (services/reconsent.py): same page, code, chain and seal as for a plan.
    reconsent = models.ForeignKey(
        "terms_kit.ReconsentRequest", verbose_name=_("re-consent request"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="links",
    )
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client access link")
        verbose_name_plural = _("client access links")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.engagement} · {self.created_at:%Y-%m-%d %H:%M}"

    def is_usable(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class EmailCode(models.Model):
    """A one-time code sent to the client's address; only its keyed hash is kept."""

    link = models.ForeignKey(
        AccessLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # SHA-256 of the secret kept in the session of the browser that typed this code: only
    # that browser may sign (another browser with the same link asks for a code again).
    session_proof_sha256 = models.CharField(_("browser proof SHA-256"), max_length=64,
                                            blank=True, db_index=True)

    class Meta:
        verbose_name = _("e-mail code")
        verbose_name_plural = _("e-mail codes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.link} · {self.created_at:%Y-%m-%d %H:%M}"


class ConsentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    PLAN_ACCEPTANCE = "plan_acceptance", _("Instalment plan accepted")
    # An accepted engagement's client accepts a new terms version (services/reconsent.py).
    TERMS_RECONSENT = "terms_reconsent", _("New terms version accepted")


class ConsentRecord(InsertOnlyModel):
    """Evidence of an acceptance or a withdrawal, chained to the previous record by hash.

    ``payload`` is the canonical JSON text itself (not a JSON column) so the hash is computed
    over exactly the stored characters. ``record_hash`` covers every stored column (hash
    format 2, acceptance/evidence.py); records made before it (format 1) hash the payload
    only and ``verify`` cross-checks their other columns against the payload.
    One chain for the whole site, in ``sequence`` order.
    """

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="consent_records",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    sequence = models.PositiveBigIntegerField(_("position in the chain"), unique=True)
    created_at = models.DateTimeField(_("recorded at"))
    payload = models.TextField(_("evidence (canonical JSON)"))
    previous_hash = models.CharField(_("previous record hash"), max_length=64)
    record_hash = models.CharField(_("record hash"), max_length=64, unique=True)
    hash_version = models.PositiveSmallIntegerField(_("hash format"), default=2)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["sequence"]
        constraints = [
            # Two acceptances (or withdrawals) of one engagement cannot both be stored. An
            # engagement may see several instalment plans over time: one acceptance per plan
            # is enforced by PlanAcceptance.plan instead.
            models.UniqueConstraint(
                fields=["engagement", "kind"], condition=Q(kind__in=["acceptance", "withdrawal"]),
                name="terms_kit_one_consent_per_kind"
            )
        ]

    def __str__(self):
        return f"#{self.sequence} {self.get_kind_display()} · {self.engagement}"


class ChainHead(models.Model):
    """The end of the consent chain; its row is locked while a record is appended."""

    name = models.CharField(max_length=40, unique=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("consent chain head")

    def __str__(self):
        return f"{self.name} #{self.last_sequence}"


class SealedFile(InsertOnlyModel):
    """A PDF sealed with the platform certificate: the signed pack or a withdrawal receipt."""

    record = models.OneToOneField(
        ConsentRecord, verbose_name=_("consent record"), on_delete=models.PROTECT,
        related_name="sealed_file",
    )
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
        related_name="sealed_files",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pdf = models.FileField(_("sealed PDF"), max_length=200, storage=get_storage)
    pdf_sha256 = models.CharField(_("sealed PDF SHA-256"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("sealed file")
        verbose_name_plural = _("sealed files")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.engagement} · {self.pdf_sha256[:12]}"


class ChainCheckpoint(InsertOnlyModel):
    """A sealed snapshot of the chain head (``termskit checkpoint``), kept outside the database.

    The authority is the signed file in storage (and the copy e-mailed to the administrators);
    this row only lists it and makes two runs for the same head store one checkpoint.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    record_count = models.PositiveBigIntegerField(_("records"))
    head_hash = models.CharField(_("chain head hash"), max_length=64)
    document = models.FileField(_("checkpoint (JSON)"), max_length=200, storage=get_storage)
    signature = models.FileField(_("signature (CMS)"), max_length=200, storage=get_storage)

    class Meta:
        verbose_name = _("chain checkpoint")
        verbose_name_plural = _("chain checkpoints")
        ordering = ["-record_count"]
        constraints = [
            models.UniqueConstraint(fields=["record_count", "head_hash"],
                                    name="terms_kit_one_checkpoint_per_head")
        ]

    def __str__(self):
        return f"#{self.record_count} {self.head_hash[:12]}"
