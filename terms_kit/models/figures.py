"""Official figures of a half-year recorded from the admin by a superuser.

The legal interest rate (its two values) and the ECB main refinancing rate are published
every half-year (arrêté in the Journal officiel, ECB decision). The shipped figures
(terms_kit/compliance/params/fr.yaml) stop at the last half-year known when terms-kit was
released; a superuser records the next one here with its source, and the compliance checker
and the late-interest computation read it at once (terms_kit/compliance/params.py), no deploy.
Insert-only: a figure that served a verdict or an interest statement is never edited; a
half-year is recorded once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .history import InsertOnlyModel


class HalfYearFigures(InsertOnlyModel):
    half_year_start = models.DateField(
        _("half-year starting on"), unique=True,
        help_text=_("1 January or 1 July."),
    )
    legal_rate_other = models.DecimalField(
        _("legal interest rate, creditor other than a consumer (% a year)"),
        max_digits=6, decimal_places=3,
    )
    legal_rate_consumer = models.DecimalField(
        _("legal interest rate, creditor who is a consumer (% a year)"),
        max_digits=6, decimal_places=3,
    )
    ecb_rate = models.DecimalField(
        _("ECB main refinancing rate in force on the first day of the half-year (%)"),
        max_digits=6, decimal_places=3,
    )
    source = models.CharField(
        _("source"), max_length=500,
        help_text=_("Journal officiel reference of the arrêté and the ECB decision, or their "
                    "URLs."),
    )
    published_on = models.DateField(_("date of the source"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_by_label = models.CharField(_("recorded by (name)"), max_length=200, blank=True)

    class Meta:
        ordering = ["-half_year_start"]
        verbose_name = _("half-year official figures")
        verbose_name_plural = _("half-year official figures")

    def __str__(self):
        half = 1 if self.half_year_start.month == 1 else 2
        return f"{self.half_year_start.year}H{half}"
