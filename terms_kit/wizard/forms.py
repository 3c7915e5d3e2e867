"""One form per wizard step.

Every step form takes ``engagement`` (None before the draft exists) and ``owner``, and
offers ``step_data()``: the cleaned answers grouped by where they are stored
(``identity``, ``client``, ``engagement``, ``lines``, ``milestones``, ``answers``), which is
what ``services.drafts`` writes. Conditional questions are removed from the form, so a
question that does not apply can neither be asked nor posted.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..compliance import params
from ..models import (
    BusinessIdentity,
    Client,
    Engagement,
    EngagementLine,
    Milestone,
    TermsVersion,
    WizardState,
)
from ..models.client import ClientKind
from ..models.engagement import Channel, OperationCategory, PaymentModel, UnusedCredit
from ..money import ZERO, compute_totals
from ..payment_plan import payment_plan_errors
from ..vat.treatments import VatExemption
from . import conditions

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class StepFormMixin:
    """The shared constructor; ``formsets`` lists the formsets shown under the fields.

    ``show_when`` maps a field (or formset prefix) to (controlling field, values): the page
    hides it while the answer makes it irrelevant. The server drops such answers anyway.
    """

    formsets = ()
    show_when = {}

    def __init__(self, data=None, *, engagement=None, owner, **kwargs):
        self.engagement = engagement
        self.owner = owner
        super().__init__(data, **kwargs)

    def active_formsets(self):
        """The formsets the current answers use (a hidden one is neither checked nor kept)."""
        return self.formsets

    def all_valid(self):
        # Evaluate every part so that all errors show at once, not one part at a time.
        results = [self.is_valid(), *(formset.is_valid() for formset in self.active_formsets())]
        return all(results)


# -- 1. business identity ------------------------------------------------------------------


class IdentityForm(StepFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessIdentity
        fields = [
            "legal_name", "trade_name", "legal_form", "profession", "siren", "siret",
            "vat_regime", "vat_number", "vat_on_debits", "address_line1", "address_line2",
            "postcode", "city", "country", "email", "phone", "website", "iban", "bic", "insurer",
            "insurance_policy", "insurance_coverage", "mediator_name", "mediator_website",
            "mediator_address",
        ]
        help_texts = {
            "legal_name": _('Your name as registered. A sole trader adds "EI" '
                            '(e.g. "Claire Martin EI"): it is compulsory on every document.'),
            "siren": _("The 9-digit number of your business (on your INSEE notice)."),
            "vat_regime": _("Under the franchise (art. 293 B CGI) you charge no VAT and the "
                            "documents say so."),
            "profession": _("Some professions have their own rules: lawyers need a fee "
                            "agreement, trainers selling to individuals a training contract."),
            "insurer": _("Required on quotes and invoices when your activity must be insured."),
            "mediator_name": _("Compulsory as soon as you sell to private persons "
                               "(C. conso L612-1)."),
        }

    def __init__(self, data=None, *, engagement=None, owner, identity=None, **kwargs):
        if engagement is not None:
            kwargs["instance"] = engagement.identity
        else:
            # The identity the expert chose, else the one used last: most experts have one.
            kwargs["instance"] = identity or (
                BusinessIdentity.objects.filter(owner=owner).order_by("-updated_at").first()
                or BusinessIdentity(owner=owner)
            )
        super().__init__(data, engagement=engagement, owner=owner, **kwargs)

    def step_data(self):
        return {"identity": dict(self.cleaned_data)}


# -- 2. client -------------------------------------------------------------------------------

BUSINESS_CLIENT_FIELDS = ("siren", "vat_number", "headcount", "outside_core_activity")
CONSUMER_BLANKS = {"siren": "", "vat_number": "", "headcount": None, "outside_core_activity": False}


class ClientForm(StepFormMixin, forms.ModelForm):
    # Asked every time, nothing preselected: "on the expert's premises" removes a consumer's
    # 14-day withdrawal right (C. conso L221-18), so it must never be a silent default.
    channel = forms.ChoiceField(
        label=_("How the contract is made"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        help_text=_("At a distance or off premises, a consumer can withdraw within 14 days; on "
                    "your premises, not. Choose what really happens."),
        error_messages={"required": _(
            "Say how the contract is made: on your premises, at a distance or at the client's "
            "home or office. The answer decides whether a consumer can withdraw within "
            "14 days.")},
    )

    class Meta:
        model = Client
        fields = [
            "kind", "name", "contact_name", "email", "phone", "language", "address_line1",
            "address_line2", "postcode", "city", "country", *BUSINESS_CLIENT_FIELDS,
        ]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "kind": _("A private person buying for themselves is a consumer: most of the "
                      "protective rules depend on this answer."),
            "headcount": _("A business of 5 employees or fewer, met off premises, buying "
                           "something outside its main activity, is protected like a consumer."),
        }

    show_when = {name: ("kind", [ClientKind.BUSINESS]) for name in BUSINESS_CLIENT_FIELDS}

    def __init__(self, data=None, *, engagement=None, owner, start_from=None, **kwargs):
        if engagement is not None:
            kwargs["instance"] = engagement.client
            kwargs.setdefault("initial", {})["channel"] = engagement.channel
        else:
            kwargs["instance"] = start_from or Client(owner=owner)
        super().__init__(data, engagement=engagement, owner=owner, **kwargs)
        # Wagtail's radio styling needs no "-------" choice for a required field.
        self.fields["kind"].choices = ClientKind.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ClientKind.CONSUMER:
            # What only a business has is dropped, so a hidden stale answer cannot matter.
            cleaned.update(CONSUMER_BLANKS)
        elif cleaned.get("kind") == ClientKind.BUSINESS and cleaned.get("headcount") is None:
            self.add_error("headcount", _(
                "Enter the client's number of employees: with 5 or fewer, the consumer rules "
                "may apply (C. conso L221-3)."))
        return cleaned

    def step_data(self):
        data = dict(self.cleaned_data)
        channel = data.pop("channel")
        return {"client": data, "engagement": {"channel": channel}}


# -- 3. service ----------------------------------------------------------------------------


class ServiceForm(StepFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "title", "service_description", "deliverables", "place", "start_date",
            "end_date", "duration", "language", "issue_date", "validity_date",
            "operation_category", "delivery_line1", "delivery_line2", "delivery_postcode",
            "delivery_city", "delivery_country",
        ]
        widgets = {
            "start_date": DATE_WIDGET, "end_date": DATE_WIDGET, "issue_date": DATE_WIDGET,
            "validity_date": DATE_WIDGET, "service_description": TEXTAREA,
            "deliverables": TEXTAREA,
        }
        help_texts = {
            "service_description": _("The essential characteristics of the service, in words "
                                     "the client understands (C. conso L111-1)."),
            "deliverables": _("What the client receives: reports, sessions, files..."),
            "start_date": _("When the service starts. For a consumer at a distance, a start "
                            "within 14 days needs the client's express request."),
            "validity_date": _("Until when the client can accept this quote."),
        }

    def __init__(self, data=None, *, engagement, owner, **kwargs):
        super().__init__(data, engagement=engagement, owner=owner, instance=engagement, **kwargs)
        # Most experts sell services: an unanswered category keeps the model's default.
        self.fields["operation_category"].required = False

    def clean_operation_category(self):
        return self.cleaned_data.get("operation_category") or OperationCategory.SERVICES

    def step_data(self):
        return {"engagement": dict(self.cleaned_data)}


# -- 4. price --------------------------------------------------------------------------------


def plain_number(value):
    """A stored quantity or rate as a person types it: 1 and 20, not 1.000 and 20.00 (a
    French reader takes "1.000" for a thousand). Prices keep their cents."""
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class LineForm(forms.ModelForm):
    class Meta:
        model = EngagementLine
        fields = ["description", "quantity", "unit", "unit_price", "vat_rate", "discount_percent",
                  "vat_exemption"]

    def __init__(self, *args, franchise=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("quantity", "vat_rate", "discount_percent"):
            if self.initial.get(name) is not None:
                self.initial[name] = plain_number(self.initial[name])
            if self.fields[name].initial is not None:  # a new row: the model's default
                self.fields[name].initial = plain_number(self.fields[name].initial)
        if franchise:
            # Under the VAT franchise no VAT may be charged (CGI 293 B): do not even ask.
            del self.fields["vat_rate"]
            del self.fields["vat_exemption"]
        else:
            # The franchise is the expert's regime, not a line's choice (rule tva.reason).
            field = self.fields["vat_exemption"]
            field.choices = [c for c in field.choices if c[0] != VatExemption.FRANCHISE]


class BaseRowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # The row is dropped when the step is saved: "remove" says it, "delete" sounds final.
            form.fields["DELETE"].label = _("Remove")

    def rows(self):
        """The cleaned rows kept: existing or newly filled in, and not marked for deletion."""
        kept = []
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue  # an extra row left empty
            kept.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return kept


# No empty rows beyond the one a new quote needs: "Add a line" adds one (the page's script,
# or the server when JavaScript is off).
class LineFormSet(forms.formset_factory(LineForm, formset=BaseRowFormSet, extra=0, min_num=1,
                                        validate_min=True, can_delete=True)):
    default_error_messages = {
        "too_few_forms": _("A quote needs at least one line: describe what you sell and its "
                           "price."),
    }


LINE_FIELDS = LineForm._meta.fields



class PriceForm(StepFormMixin, forms.Form):
    def __init__(self, data=None, *, engagement, owner, **kwargs):
        super().__init__(data, engagement=engagement, owner=owner, **kwargs)
        self.franchise = engagement.identity.under_vat_franchise
        initial = [
            {name: getattr(line, name) for name in LINE_FIELDS}
            for line in engagement.lines.all()
        ]
        self.lines = LineFormSet(data, initial=initial, prefix="lines",
                                 form_kwargs={"franchise": self.franchise})
        self.formsets = (self.lines,)

    def totals(self):
        """The running totals of the lines on screen (see wizard/pricing.py)."""
        from .pricing import draft_totals

        return draft_totals(self.lines, self.franchise)

    def step_data(self):
        rows = self.lines.rows()
        if self.franchise:
            for row in rows:
                row["vat_rate"] = ZERO
        return {"lines": rows}


# -- 5. payment conditions -----------------------------------------------------------------

B2B_PAYMENT_FIELDS = (
    "early_payment_discount_percent", "early_payment_discount_days", "late_penalty_rate",
    "recovery_indemnity",
)
TIME_CREDIT_FIELDS = ("time_credit_hours", "time_credit_validity_months")


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["label", "deliverable", "amount", "validation"]


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseRowFormSet, extra=3, can_delete=True
)
MILESTONE_FIELDS = MilestoneForm._meta.fields


class PaymentForm(StepFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "payment_model", "deposit_percent", "deposit_label", "due_days", "due_basis",
            *B2B_PAYMENT_FIELDS, *TIME_CREDIT_FIELDS, "unused_credit",
        ]
        help_texts = {
            "payment_model": _("How and when the client pays. Milestones: each part is "
                               "invoiced once the client validates it."),
            "deposit_percent": _("A share of the total paid on acceptance. Leave empty for "
                                 "none."),
            "deposit_label": _('Say whether the deposit is an "acompte" (both are bound) or '
                               '"arrhes" (either may withdraw): unstated, it counts as arrhes '
                               '(C. conso L214-1).'),
            "due_days": _("Between businesses: at most 60 days from the invoice, or 45 days "
                          "end of month (C. com. L441-10)."),
            "late_penalty_rate": _("Between businesses: at least 3 times the legal interest "
                                   "rate; without a rate, the ECB rate + 10 points applies."),
            "time_credit_hours": _("Hours the client buys in advance."),
        }

    show_when = {
        **{name: ("payment_model", [PaymentModel.TIME_CREDIT])
           for name in (*TIME_CREDIT_FIELDS, "unused_credit")},
        "milestones": ("payment_model", [PaymentModel.MILESTONES]),
    }

    def __init__(self, data=None, *, engagement, owner, **kwargs):
        super().__init__(data, engagement=engagement, owner=owner, instance=engagement, **kwargs)
        self.business = conditions.is_business_client(engagement)
        if not self.business:
            for name in B2B_PAYMENT_FIELDS:
                del self.fields[name]
        else:
            self._fix_recovery_indemnity()
        initial = [
            {name: getattr(m, name) for name in MILESTONE_FIELDS}
            for m in engagement.milestones.all()
        ]
        self.milestones = MilestoneFormSet(data, initial=initial, prefix="milestones")
        self.formsets = (self.milestones,)
        self.plan_errors = []

    def _fix_recovery_indemnity(self):
        """Between businesses the indemnity is set by law: shown, not asked, always stored."""
        self.legal_indemnity = params.value(
            "recovery_indemnity_eur", self.engagement.issue_date).quantize(ZERO)
        field = self.fields["recovery_indemnity"]
        field.disabled = True  # what is posted is ignored; the form keeps the legal figure
        field.required = False
        field.initial = self.legal_indemnity
        self.initial["recovery_indemnity"] = self.legal_indemnity
        field.label = _("Fixed recovery indemnity (EUR), set by law")
        field.help_text = _(
            "Fixed by law between businesses: %(amount)s EUR for each invoice paid late "
            "(C. com. L441-10 II, D441-5), due with no reminder; the quote and the terms state "
            "it. Higher actual recovery costs can be claimed on proof."
        ) % {"amount": self.legal_indemnity}

    def clean(self):
        cleaned = super().clean()
        if self.business:
            cleaned["recovery_indemnity"] = self.legal_indemnity
        model = cleaned.get("payment_model")
        if cleaned.get("deposit_percent") and not cleaned.get("deposit_label"):
            self.add_error("deposit_label", _(
                'Say whether this deposit is an "acompte" or "arrhes": the two do not bind '
                "the parties in the same way (C. conso L214-1)."))
        if model == PaymentModel.TIME_CREDIT:
            for name in TIME_CREDIT_FIELDS:
                if not cleaned.get(name):
                    self.add_error(name, _("Required for a time credit: how many hours, valid "
                                           "for how many months."))
        return cleaned

    def all_valid(self):
        valid = super().all_valid()
        if not valid:
            return False
        cleaned = self.cleaned_data
        amounts = [row["amount"] for row in self.milestone_rows()]
        total = compute_totals(self.engagement.lines.all()).total_excl_vat
        problems = payment_plan_errors(
            cleaned["payment_model"], cleaned.get("deposit_percent"), amounts, total
        )
        for name, message in problems.items():
            if name == "milestones":
                self.plan_errors.append(message)
            else:
                self.add_error(name, message)
        return not problems

    def active_formsets(self):
        if self.data.get("payment_model") != PaymentModel.MILESTONES:
            return ()  # milestones left from another model are dropped, not checked
        return self.formsets

    def milestone_rows(self):
        return self.milestones.rows() if self.active_formsets() else []

    def step_data(self):
        data = dict(self.cleaned_data)
        if not self.business:
            data.update(dict.fromkeys(B2B_PAYMENT_FIELDS))
        if data["payment_model"] != PaymentModel.TIME_CREDIT:
            data.update(dict.fromkeys(TIME_CREDIT_FIELDS))
            data["unused_credit"] = UnusedCredit.REFUNDED  # the default: no credit to keep
        return {"engagement": data, "milestones": self.milestone_rows()}


# -- 6. profession rules (lawyer, training for an individual) -----------------------------


class ProfessionForm(StepFormMixin, forms.ModelForm):
    """A lawyer's fee agreement is stored on the engagement, where the checker decides on it
    (loi 71-1130 art. 10, rule prof.avocat); the training confirmations stay wizard answers."""

    class Meta:
        model = Engagement
        fields = ["fee_basis", "fee_hourly_rate", "fee_success_complement", "fee_provision",
                  "fee_agreement_exemption"]
        help_texts = {
            "fee_basis": _("A lawyer agrees fees in writing with every client, in a fee "
                           "agreement (convention d'honoraires, loi 71-1130 art. 10): for time "
                           "spent, with the hourly rate, or a flat fee. A fee on the result "
                           "alone is forbidden."),
            "fee_hourly_rate": _("Required for fees on time spent."),
            "fee_provision": _("An advance on fees asked of the client, if any."),
            "fee_agreement_exemption": _("Only when there is no written agreement: urgency, "
                                         "force majeure or full legal aid."),
        }

    show_when = {
        "fee_hourly_rate": ("fee_basis", ["time_spent"]),
        "fee_agreement_exemption": ("fee_basis", ["none"]),
    }

    training_withdrawal = forms.BooleanField(
        label=_("The trainee can withdraw within 10 days of signing, by registered letter"),
        help_text=_("For training paid by an individual personally (C. trav. L6353-5)."),
        error_messages={"required": _(
            "Confirm the 10-day withdrawal: it is compulsory for training paid by an "
            "individual (C. trav. L6353-5).")},
    )
    training_payment_schedule = forms.BooleanField(
        label=_("Nothing is paid before the 10 days end, at most 30 % then, the rest in "
                "stages"),
        help_text=_("C. trav. L6353-6. Set the payment step's milestones accordingly."),
        error_messages={"required": _(
            "Confirm the training payment rules: no payment within 10 days, then at most "
            "30 % (C. trav. L6353-6).")},
    )

    LAWYER_FIELDS = tuple(Meta.fields)
    TRAINING_FIELDS = ("training_withdrawal", "training_payment_schedule")

    def __init__(self, data=None, *, engagement, owner, **kwargs):
        state = WizardState.objects.filter(engagement=engagement).first()
        kwargs.setdefault("initial", state.answers if state else {})
        super().__init__(data, engagement=engagement, owner=owner, instance=engagement,
                         **kwargs)
        keep = set()
        if conditions.needs_fee_agreement(engagement):
            keep.update(self.LAWYER_FIELDS)
            self.fields["fee_basis"].required = True
            self.fields["fee_basis"].error_messages["required"] = _(
                "Say how the fees are set: a lawyer cannot work without a written fee "
                "agreement (loi 71-1130 art. 10).")
        if conditions.needs_training_rules(engagement):
            keep.update(self.TRAINING_FIELDS)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def step_data(self):
        data = dict(self.cleaned_data)
        fees = {name: data.pop(name) for name in self.LAWYER_FIELDS if name in data}
        if fees and fees["fee_basis"] != "time_spent":
            fees["fee_hourly_rate"] = None  # a rate that no longer applies is not kept
        if fees and fees["fee_basis"] != "none":
            fees["fee_agreement_exemption"] = ""
        return {"engagement": fees, "answers": data}


# -- 7. refund, cancellation, withdrawal ---------------------------------------------------


class TermsForm(StepFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["refund_terms", "cancellation_terms", "early_start_requested", "terms_version"]
        widgets = {"refund_terms": TEXTAREA, "cancellation_terms": TEXTAREA}
        help_texts = {
            "refund_terms": _("When and how money already paid is given back. With a "
                              "consumer, keeping sums without a fair counterpart is unfair "
                              "(C. conso R212-2)."),
            "cancellation_terms": _("What happens if either party ends the contract early."),
            "early_start_requested": _(
                "Tick if the service starts within the 14-day withdrawal period. The client "
                "will be asked to request it expressly and to acknowledge losing the right "
                "once the service is fully performed (C. conso L221-25, L221-28)."),
            "terms_version": _("The terms of sale (CGV) the quote refers to: one of your "
                               "published versions (Terms kit > Terms of sale), or leave it "
                               "empty for the default text that fits the client (business "
                               "or consumer)."),
        }

    def __init__(self, data=None, *, engagement, owner, **kwargs):
        super().__init__(data, engagement=engagement, owner=owner, instance=engagement, **kwargs)
        self.fields["terms_version"].queryset = TermsVersion.objects.filter(
            owner=engagement.owner, published_at__isnull=False
        )
        self.fields["terms_version"].empty_label = (
            _("Default terms of sale for a business client")
            if engagement.client_id and engagement.client.kind == "business"
            else _("Default terms of sale for a consumer"))
        if not conditions.has_withdrawal_right(engagement):
            del self.fields["early_start_requested"]

    def step_data(self):
        data = dict(self.cleaned_data)
        data.setdefault("early_start_requested", False)
        return {"engagement": data}
