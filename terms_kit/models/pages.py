"""Public page types: an expert's terms of sale (``TermsPage``) and a service offer clients
book, accept and pay online (``OfferPage``), usable on any Wagtail site.

Both pages belong to one expert (``expert``), chosen in the admin among the editor's own
account; the records they show or copy (terms versions, the offer's quote template) must be
that expert's. A booking's engagement is always created for the page's expert: nothing the
visitor sends chooses the owner.
"""

import datetime

from django.conf import settings
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page

from ..pages.blocks import OfferContentBlock
from ..pages.cache import mark_public
from ..pages.forms import BookingForm, ExpertPageForm, at_a_distance
from .client import ClientKind
from .engagement import Engagement
from .terms import TermsVersion


class TermsPage(RoutablePageMixin, Page):
    """The expert's current terms for business clients or consumers, every earlier version at
    a permanent address (``v/<number>/``), the list of versions and a diff between them."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("expert"),
                               on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(_("for"), max_length=10, choices=ClientKind.choices,
                                default=ClientKind.CONSUMER)
    terms = models.ForeignKey(
        TermsVersion, verbose_name=_("terms version"), on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Any published version of the series: the page shows its newest version "
                    "and keeps every earlier one at its own address."))
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("expert"), FieldPanel("audience"), FieldPanel("terms")],
                        heading=_("Terms")),
        FieldPanel("intro"),
    ]
    base_form_class = ExpertPageForm
    template = "terms_kit/pages/terms_page.html"

    class Meta:
        verbose_name = _("terms of sale page")
        verbose_name_plural = _("terms of sale pages")

    def series(self):
        # Kept on the instance: the blocks and the page ask for it more than once a request.
        if getattr(self, "_series", None) is None:
            from ..pages.versions import series_of

            self._series = series_of(self.terms)
        return self._series

    @staticmethod
    def sections_of(version):
        from ..documents.context import _terms

        return _terms({"title": version.title, "body": version.body})["sections"]

    def version_url(self, version):
        return self.url + self.reverse_subpage("version", args=[version.version])

    def diff_url(self, old, new):
        return self.url + self.reverse_subpage("diff", args=[old.version, new.version])

    def _version_rows(self, series):
        rows = []
        for version in series.versions:
            previous = series.previous(version)
            rows.append({"version": version, "url": self.version_url(version),
                         "diff_url": self.diff_url(previous, version) if previous else None})
        return rows

    def _show(self, request, version, series, old_version=False):
        return self._public(request, self.render(request, context_overrides={
            "series": series, "shown": version, "rows": self._version_rows(series),
            "sections": self.sections_of(version) if version else [],
            "old_version": old_version, "permalink": self.version_url(version) if version
            else None}))

    @staticmethod
    def _public(request, response):
        # The same answer for every anonymous visitor: kept in the shared cache (pages/cache.py).
        return response if getattr(request, "is_preview", False) else mark_public(response)

    @path("")
    def current(self, request):
        series = self.series()
        return self._show(request, series.current, series)

    @path("v/<int:number>/", name="version")
    def version(self, request, number):
        series = self.series()
        version = series.by_number(number)
        if version is None:
            from django.http import Http404

            raise Http404
        return self._show(request, version, series, old_version=version != series.current)

    @path("diff/<int:old>/<int:new>/", name="diff")
    def diff(self, request, old, new):
        from django.http import Http404

        from ..services.clauses import diff_versions

        series = self.series()
        before, after = series.by_number(old), series.by_number(new)
        if before is None or after is None:
            raise Http404
        return self._public(request, self.render(
            request, template="terms_kit/pages/terms_diff.html",
            context_overrides={"series": series, "old": before, "new": after,
                               "changes": diff_versions(before, after)}))


def terms_permalink(version):
    """The permanent public address of a published terms version, or None when no live terms
    page of its expert shows it (the address a signed pack can cite)."""
    if version is None or not version.is_published:
        return None
    for page in TermsPage.objects.live().filter(expert_id=version.owner_id,
                                                terms__language=version.language):
        if page.series().by_number(version.version) is not None:
            return page.get_full_url() + page.reverse_subpage("version", args=[version.version])
    return None


class OfferAudience(models.TextChoices):
    BOTH = "both", _("Private persons and businesses")
    CONSUMER = "consumer", _("Private persons only")
    BUSINESS = "business", _("Businesses only")


class OfferPage(RoutablePageMixin, Page):
    """A service offer: what it is, the price and payment conditions of its quote template,
    and the "Book / Accept and pay" path that turns a visitor into a client."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("expert"),
                               on_delete=models.PROTECT, related_name="+")
    quote_template = models.ForeignKey(
        Engagement, verbose_name=_("quote template"), on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A draft engagement of the expert, never sent: each booking copies it for "
                    "the new client. Check the offer with the page's “Check bookings” button: "
                    "a warning not acknowledged there stops online bookings."))
    audience = models.CharField(_("offered to"), max_length=10, choices=OfferAudience.choices,
                                default=OfferAudience.BOTH)
    consumer_terms = models.ForeignKey(
        TermsPage, verbose_name=_("terms for private persons"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The current version of this page is the one a private person accepts."))
    business_terms = models.ForeignKey(
        TermsPage, verbose_name=_("terms for businesses"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The current version of this page is the one a business accepts."))
    asks_start_date = models.BooleanField(
        _("ask the client for a date"), default=False,
        help_text=_("The booking form asks for the preferred date of the service."))
    intro = models.TextField(_("summary"), blank=True)
    body = StreamField(OfferContentBlock(), verbose_name=_("content"), blank=True)
    button_label = models.CharField(_("button text"), max_length=80, blank=True,
                                    help_text=_("Empty: “Book / Accept and pay”."))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("expert"), FieldPanel("quote_template"), FieldPanel("audience"),
                         FieldPanel("consumer_terms"), FieldPanel("business_terms"),
                         FieldPanel("asks_start_date"), FieldPanel("button_label")],
                        heading=_("Booking")),
    ]
    base_form_class = ExpertPageForm
    template = "terms_kit/pages/offer_page.html"

    class Meta:
        verbose_name = _("offer page")
        verbose_name_plural = _("offer pages")

    # --- what the page shows, read from the quote template -------------------------------

    @cached_property
    def template_engagement(self):
        return (Engagement.objects.select_related("identity", "client", "terms_version")
                .filter(pk=self.quote_template_id, owner_id=self.expert_id).first())

    def summary(self, lang=None):
        """Lines, totals and payment sentences of the quote template, as the client page words
        them (acceptance/presentation.py)."""
        lang = lang or (translation.get_language() or "fr")[:2]
        cache = self.__dict__.setdefault("_summaries", {})
        if lang not in cache:
            from ..acceptance.presentation import summary
            from ..spec import export_engagement

            template = self.template_engagement
            cache[lang] = summary(export_engagement(template), lang) if template else None
        return cache[lang]

    @property
    def at_a_distance(self):
        template = self.template_engagement
        return template is not None and at_a_distance(template.channel)

    def proposed_start(self, today):
        """The template's start date moved to a booking made ``today`` (same gap as between its
        issue and start dates); None when the template has none."""
        template = self.template_engagement
        if template is None or template.start_date is None:
            return None
        return today + max(template.start_date - template.issue_date, datetime.timedelta())

    def terms_page_for(self, kind):
        return self.business_terms if kind == ClientKind.BUSINESS else self.consumer_terms

    def book_url(self):
        return self.url + self.reverse_subpage("book")

    @property
    def label(self):
        return self.button_label or _("Book / Accept and pay")

    # --- routes -------------------------------------------------------------------------

    @path("")
    def index_route(self, request, *args, **kwargs):
        response = super().index_route(request, *args, **kwargs)
        # The offer itself is the same for every anonymous visitor (pages/cache.py); the
        # booking form below is not (it carries a CSRF token).
        return TermsPage._public(request, response)

    @path("book/", name="book")
    def book(self, request):
        from ..acceptance.ratelimit import client_ip, hit
        from ..acceptance.views import error_page
        from ..services.bookings import BookingRefused, book_offer

        refusal = None
        if request.method == "POST":
            if not hit("offer", client_ip(request)):
                return error_page(request, 429)
            form = BookingForm(request.POST, offer=self)
            if form.is_valid():
                try:
                    sent = book_offer(self, form.cleaned_data,
                                      language=(translation.get_language() or "fr")[:2],
                                      base_url=request.build_absolute_uri("/"))
                except BookingRefused as exc:
                    refusal = exc.message
                else:
                    return redirect("terms_kit:client_review", sent.token)
        else:
            form = BookingForm(offer=self, initial={"kind": self.default_kind()})
        return self.render(request, template="terms_kit/pages/offer_book.html",
                           context_overrides={"form": form, "refusal": refusal,
                                              "today": timezone.localdate()})

    def default_kind(self):
        return ClientKind.BUSINESS if self.audience == OfferAudience.BUSINESS \
            else ClientKind.CONSUMER


class OfferBooking(models.Model):
    """Which offer page sold an engagement (insert-only): the booking confirmation reads it."""

    page = models.ForeignKey(OfferPage, verbose_name=_("offer page"), null=True,
                             on_delete=models.SET_NULL, related_name="bookings")
    page_title = models.CharField(_("offer"), max_length=255)
    engagement = models.OneToOneField(Engagement, verbose_name=_("engagement"),
                                      on_delete=models.PROTECT, related_name="booking")
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("online booking")
        verbose_name_plural = _("online bookings")

    def __str__(self):
        return f"{self.page_title} · {self.engagement_id}"
