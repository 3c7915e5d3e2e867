"""The visitor's booking form, and the admin forms that keep an expert to their own records."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .. import validators
from ..models import Engagement, TermsVersion
from ..models.client import ClientKind
from ..models.engagement import Channel
from ..status import Status

WITHDRAWAL_DAYS = 14
# Markup and template syntax have no place in a name or an address: refused, with the reason,
# rather than stored and escaped everywhere it is shown (documents, e-mails, the admin).
HOSTILE = re.compile(r"[<>{}\\]|\{\{|\{%|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_FIELDS = ("name", "contact_name", "phone", "address_line1", "postcode", "city")


class BookingForm(forms.Form):
    kind = forms.ChoiceField(label=_("You book as"), choices=[
        (ClientKind.CONSUMER, _("a private person")),
        (ClientKind.BUSINESS, _("a business (company, sole trader, association)"))],
        widget=forms.RadioSelect)
    name = forms.CharField(label=_("Full name, or the business's name"), max_length=200)
    contact_name = forms.CharField(
        label=_("Person signing for the business"), max_length=200, required=False,
        help_text=_("For a business only: who accepts the quote on its behalf."))
    siren = forms.CharField(label=_("SIREN (business)"), max_length=11, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             help_text=_("The quote and a confirmation code are sent here."))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address_line1 = forms.CharField(label=_("Address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    start_date = forms.DateField(label=_("Preferred date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    early_start = forms.BooleanField(
        label=_("I ask for the service to start before the end of my 14-day withdrawal "
                "period"), required=False,
        help_text=_("A private person booking at a distance may withdraw within 14 days. If "
                    "the service takes place before then, you must ask for it expressly; if "
                    "you withdraw afterwards, you pay for what was already provided."))

    def __init__(self, *args, offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer.asks_start_date:
            self.fields["start_date"].required = True

    def clean(self):
        cleaned = super().clean()
        for name in TEXT_FIELDS:
            value = cleaned.get(name) or ""
            if HOSTILE.search(value):
                self.add_error(name, _("Use letters, digits and ordinary punctuation: the "
                                       "characters < > { } \\ and control characters are not "
                                       "accepted."))
        kind = cleaned.get("kind")
        if kind == ClientKind.BUSINESS and not cleaned.get("contact_name"):
            self.add_error("contact_name", _("For a business, give the name of the person "
                                             "who accepts the quote."))
        siren = validators.compact_digits(cleaned.get("siren") or "")
        if siren:
            try:
                validators.validate_siren(siren)
            except ValidationError as exc:
                self.add_error("siren", exc)
        cleaned["siren"] = siren if kind == ClientKind.BUSINESS else ""
        today = timezone.localdate()
        start = cleaned.get("start_date")
        if start and start < today:
            self.add_error("start_date", _("Choose a date from today on."))
        start = start or self.offer.proposed_start(today)
        if (kind == ClientKind.CONSUMER and self.offer.at_a_distance and start
                and start <= today + datetime.timedelta(days=WITHDRAWAL_DAYS)
                and not cleaned.get("early_start")):
            self.add_error("early_start", _(
                "The service starts on %(date)s, within your 14-day withdrawal period: tick "
                "this box to ask for the early start, or choose a date after %(after)s.") % {
                "date": start.strftime("%d/%m/%Y"),
                "after": (today + datetime.timedelta(days=WITHDRAWAL_DAYS)).strftime(
                    "%d/%m/%Y")})
        if kind != ClientKind.CONSUMER:
            cleaned["early_start"] = False
        return cleaned


def _owned(queryset, user):
    if user is None or user.is_superuser:
        return queryset
    return queryset.filter(owner=user)


class ExpertPageForm(WagtailAdminPageForm):
    """An expert picks only themself, their own published terms and their own drafts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "expert" in self.fields and user is not None and not user.is_superuser:
            self.fields["expert"].queryset = self.fields["expert"].queryset.filter(pk=user.pk)
            self.fields["expert"].initial = user.pk
        if "terms" in self.fields:
            self.fields["terms"].queryset = _owned(
                TermsVersion.objects.filter(published_at__isnull=False), user)
        if "quote_template" in self.fields:
            self.fields["quote_template"].queryset = _owned(
                Engagement.objects.filter(status=Status.DRAFT), user)

    def clean(self):
        cleaned = super().clean()
        expert = cleaned.get("expert")
        for name in ("terms", "quote_template"):
            record = cleaned.get(name)
            if expert is not None and record is not None and record.owner_id != expert.pk:
                self.add_error(name, _("Choose one of the expert's own records: this one "
                                       "belongs to another expert."))
        return cleaned


def at_a_distance(channel):
    return channel in (Channel.DISTANCE, Channel.OFF_PREMISES)
