"""A typed, read-only view of one engagement spec, built once and read by every rule.

Rules never see the raw dict nor the database: the wizard's live panel, the CLI and imported
specs all go through ``build_case``. The spec must have the shape of the JSON Schema
(``terms_kit.spec.validate_spec`` says when it has not); missing optional fields get the
model's defaults.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from ..conf import app_settings
from ..money import Totals, compute_totals
from ..payments import schedule
from . import params

PAYING_BEFORE_SERVICE = {"deposit", "full_prepayment", "time_credit"}
SOLE_TRADER_FORMS = ("ei", "micro")


@dataclass(frozen=True, slots=True)
class Regime:
    """The legal facts every part of terms-kit reads: who the client is in law, which rights
    they have, which mentions the documents carry. The checker's ``Case`` holds one, and the
    documents (documents/rules.py), the wizard (wizard/conditions.py) and the payment and
    acceptance services build one from the same few spec fields with ``build_regime``: the
    figures (5 people, 14 and 10 days, 40 EUR) come from the dated parameters, never from a
    constant of their own.
    """

    client_kind: str
    channel: str
    profession: str
    legal_form: str
    vat_regime: str
    headcount: int | None
    outside_core_activity: bool
    early_start_requested: bool
    late_penalty_rate: Decimal | None
    on: datetime.date  # the date figures are chosen for

    def param(self, name):
        return params.value(name, self.on)

    @property
    def is_consumer(self):
        """A private person: mediation, deposits, unfair terms, recovery fees."""
        return self.client_kind == "consumer"

    @property
    def is_business(self):
        """Any business client, small or not: commercial payment terms (C. com. L441-10)."""
        return self.client_kind == "business"

    @property
    def is_small_business_off_premises(self):
        """C. conso L221-3: a business of at most N people (dated figure) signing off premises
        for something outside its core activity."""
        return (
            self.is_business
            and self.channel == "off_premises"
            and self.outside_core_activity
            and self.headcount is not None
            and self.headcount <= self.param("small_business_max_employees")
        )

    @property
    def is_consumer_regime(self):
        """Consumers and, off premises, businesses of 5 or fewer outside their core activity
        (C. conso L221-3): pre-contract information, withdrawal, early start."""
        return self.is_consumer or self.is_small_business_off_premises

    @property
    def is_distance_or_off_premises(self):
        return self.channel in ("distance", "off_premises")

    @property
    def is_self_paid_training(self):
        """Training paid by an individual personally (C. trav. L6353-3 to L6353-6)."""
        return self.profession == "training" and self.is_consumer

    @property
    def needs_fee_agreement(self):
        """A lawyer agrees fees in writing with every client (loi 71-1130 art. 10)."""
        return self.profession == "lawyer"

    @property
    def has_withdrawal_right(self):
        """C. conso L221-18 (distance or off premises, consumer regime); C. trav. L6353-5
        (self-paid training, whatever the channel)."""
        return self.is_self_paid_training or (
            self.is_consumer_regime and self.is_distance_or_off_premises)

    @property
    def withdrawal_days(self):
        """The length of the withdrawal period (0 without the right)."""
        if not self.has_withdrawal_right:
            return 0
        name = "training_withdrawal_days" if self.is_self_paid_training else (
            "consumer_withdrawal_days")
        return int(self.param(name))

    @property
    def early_start(self):
        """L221-25: the client asked for the service to start within the withdrawal period."""
        return self.has_withdrawal_right and self.early_start_requested

    def first_payment_day(self, concluded):
        """C. conso L221-10: off premises, nothing may be taken from a client under the
        consumer rules before this day (None: no such waiting period)."""
        if self.is_consumer_regime and self.channel == "off_premises":
            return schedule.later(concluded, int(self.param("off_premises_no_payment_days")))
        return None

    @property
    def is_sole_trader(self):
        """Loi 2022-172: the documents say "EI" / "entrepreneur individuel"."""
        return self.legal_form in SOLE_TRADER_FORMS

    @property
    def under_vat_franchise(self):
        """CGI 293 B: no VAT charged, the franchise mention instead."""
        return self.vat_regime == "franchise"

    @property
    def shows_b2b_terms(self):
        """C. com. L441-9, L441-10 II, D441-5: payment term, penalties and the fixed
        indemnity, on every business client's documents."""
        return self.is_business

    @property
    def recovery_indemnity(self):
        """The fixed recovery indemnity of D441-5 (businesses only, else None)."""
        return self.param("recovery_indemnity_eur") if self.is_business else None

    @property
    def shows_mediator(self):
        """C. conso L612-1, L616-1: a consumer is told which mediator they may call on."""
        return self.is_consumer

    @property
    def shows_consumer_penalty_clause(self):
        """C. civ. 1231-5: a late-penalty rate agreed with a consumer is a penalty clause the
        consumer's documents print (never dropped silently; the judge may reduce it)."""
        return self.is_consumer and bool(self.late_penalty_rate)

    def mentions(self):
        """Which legal mentions the documents carry (the template's ``rules`` object)."""
        return {
            "consumer": self.is_consumer_regime,
            "business": self.is_business,
            "vat_franchise": self.under_vat_franchise,
            "vat_lines": not self.under_vat_franchise,
            "withdrawal": self.has_withdrawal_right,
            "withdrawal_days": self.withdrawal_days,
            "early_start": self.early_start,
            "b2b_terms": self.shows_b2b_terms,
            "recovery_indemnity": self.recovery_indemnity,
            "mediator": self.shows_mediator,
            "sole_trader": self.is_sole_trader,
            "penalty_clause": self.shows_consumer_penalty_clause,
            "fee_agreement": self.needs_fee_agreement,
        }


def build_regime(spec, on=None):
    """The ``Regime`` of a spec, or of the few spec fields it reads (a CGV snapshot, a
    payment service's view of a saved engagement): missing fields take the model defaults.
    Figures are chosen for ``on``, else the issue date, else today."""
    identity, client = spec.get("identity") or {}, spec.get("client") or {}
    body = spec.get("engagement") or {}
    on = on or _date(body.get("issue_date")) or datetime.date.today()
    return Regime(
        client_kind=client.get("kind", ""),
        channel=body.get("channel", ""),
        profession=identity.get("profession") or "general",
        legal_form=identity.get("legal_form", ""),
        vat_regime=identity.get("vat_regime", ""),
        headcount=client.get("headcount"),
        outside_core_activity=bool(client.get("outside_core_activity", False)),
        early_start_requested=bool(body.get("early_start_requested", False)),
        late_penalty_rate=_decimal((body.get("payment") or {}).get("late_penalty_rate")),
        on=on,
    )


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    postcode: str
    city: str

    @property
    def is_complete(self):
        return bool(self.line1.strip() and self.postcode.strip() and self.city.strip())


@dataclass(frozen=True, slots=True)
class Identity:
    legal_name: str
    legal_form: str
    siren: str
    vat_number: str
    vat_regime: str
    address: Address
    email: str
    phone: str
    insurer: str
    insurance_coverage: str
    mediator_name: str
    mediator_website: str
    mediator_address: str
    profession: str
    einvoicing_from: datetime.date | None
    vat_on_debits: bool = False

    @property
    def is_sole_trader(self):
        return self.legal_form in SOLE_TRADER_FORMS

    @property
    def under_vat_franchise(self):
        return self.vat_regime == "franchise"


@dataclass(frozen=True, slots=True)
class Client:
    kind: str
    address: Address
    siren: str
    headcount: int | None
    outside_core_activity: bool
    country: str = "FR"  # ISO code of the client's address ("" in a spec means France)
    vat_number: str = ""

    @property
    def in_france(self):
        return self.country in ("", "FR")


@dataclass(frozen=True, slots=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    discount_percent: Decimal | None
    vat_exemption: str = ""  # why the line has no VAT (terms_kit/vat/treatments.py)


@dataclass(frozen=True, slots=True)
class Payment:
    model: str
    deposit_percent: Decimal | None
    deposit_label: str
    due_days: int | None
    due_basis: str
    discount_percent: Decimal | None
    discount_days: int | None
    late_penalty_rate: Decimal | None
    recovery_indemnity: Decimal | None
    time_credit_validity_months: int | None
    unused_credit: str  # refunded, kept
    milestone_amounts: tuple


@dataclass(frozen=True, slots=True)
class FeeAgreement:
    """A lawyer's written fee agreement (loi 71-1130 art. 10), as answered in the wizard."""

    basis: str  # "" (not answered), time_spent, flat_fee, success_only, none
    hourly_rate: Decimal | None
    success_fee: bool
    provision: Decimal | None
    exemption: str  # "", urgency, force_majeure, legal_aid


@dataclass(frozen=True, slots=True)
class Case:
    identity: Identity
    client: Client
    terms_body: str | None  # None: no terms of sale attached
    title: str
    service_description: str
    channel: str
    issue_date: datetime.date
    validity_date: datetime.date | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    duration: str
    early_start_requested: bool
    refund_terms: str
    cancellation_terms: str
    lines: tuple
    payment: Payment
    fee_agreement: FeeAgreement
    totals: Totals
    on: datetime.date  # the date figures are chosen for
    regime: Regime  # the legal facts, shared with the documents, wizard and services
    is_small_business_off_premises: bool
    operation_category: str = "services"
    # Décret 2022-1299: given only when it differs from the client's address (else None).
    delivery_address: Address | None = None

    # -- who the client is in law (the regime decides) --------------------------------

    @property
    def is_consumer(self):
        return self.regime.is_consumer

    @property
    def is_business(self):
        return self.regime.is_business

    @property
    def is_consumer_regime(self):
        return self.regime.is_consumer_regime

    @property
    def is_distance_or_off_premises(self):
        return self.regime.is_distance_or_off_premises

    @property
    def has_withdrawal_right(self):
        return self.regime.has_withdrawal_right

    # -- money -------------------------------------------------------------------------

    @property
    def pays_before_service(self):
        """Money is taken before the service: a deposit or the whole price up front."""
        return self.payment.model in PAYING_BEFORE_SERVICE or bool(self.payment.deposit_percent)

    def param(self, name):
        """Figure ``name`` for this document's date (``MissingParameter`` if none)."""
        return params.value(name, self.on)

    @property
    def concluded(self):
        """The earliest day the contract can be concluded: no earlier than the issue date,
        nor than the day the check is made for (the acceptance flow checks with that day)."""
        return max(self.issue_date, self.on)

    def payment_schedule(self):
        """[(step, earliest due day)]: the schedule services/payments.py will make on
        acceptance, with the earliest day each instalment can fall due (payments/schedule.py).
        The work is taken to start on the start date, else on conclusion, and to end on the
        end date, else the day it starts."""
        payment = self.payment
        has_deposit = bool(payment.deposit_percent) and (
            payment.model in schedule.MODELS_WITH_DEPOSIT)
        steps = schedule.steps(payment.model, has_deposit=has_deposit,
                               milestone_count=len(payment.milestone_amounts),
                               self_paid_training=self.regime.is_self_paid_training)
        concluded = self.concluded
        withdrawal_end = (schedule.later(concluded, self.regime.withdrawal_days)
                          if self.regime.has_withdrawal_right else None)
        work_from = max(self.start_date or concluded, concluded)
        work_until = max(self.end_date or work_from, work_from)
        due_days = payment.due_days if payment.due_days is not None else (
            app_settings.DEFAULT_DUE_DAYS)
        dues = schedule.earliest_dues(
            steps, concluded=concluded, withdrawal_end=withdrawal_end, work_from=work_from,
            work_until=work_until, due_days=due_days, due_basis=payment.due_basis)
        return list(zip(steps, dues, strict=True))

    def texts(self):
        """The free texts a client reads, as (field, text), for wording checks."""
        found = [
            ("engagement.refund_terms", self.refund_terms),
            ("engagement.cancellation_terms", self.cancellation_terms),
        ]
        if self.terms_body is not None:
            found.append(("terms.body", self.terms_body))
        return found


# -- building ------------------------------------------------------------------------------


def _decimal(value):
    return None if value is None or value == "" else Decimal(value)


def _date(value):
    return None if not value else datetime.date.fromisoformat(value)


def _address(data):
    data = data or {}
    return Address(data.get("line1", ""), data.get("postcode", ""), data.get("city", ""))


def build_case(spec, on=None):
    """The ``Case`` of a spec; figures are chosen for ``on``, else the issue date, else today."""
    identity, client, body = spec["identity"], spec["client"], spec["engagement"]
    insurance, mediator = identity.get("insurance") or {}, identity.get("mediator") or {}
    payment = body["payment"]
    fees = body.get("fee_agreement") or {}
    issue_date = _date(body.get("issue_date")) or datetime.date.today()
    on = on or issue_date
    lines = tuple(
        Line(line.get("description", ""), Decimal(line["quantity"]), Decimal(line["unit_price"]),
             Decimal(line["vat_rate"]), _decimal(line.get("discount_percent")),
             line.get("vat_exemption") or "")
        for line in body["lines"]
    )
    the_client = Client(
        kind=client["kind"], address=_address(client.get("address")),
        siren=client.get("siren", ""), headcount=client.get("headcount"),
        outside_core_activity=bool(client.get("outside_core_activity", False)),
        country=((client.get("address") or {}).get("country") or "FR").upper(),
        vat_number=client.get("vat_number", ""),
    )
    regime = build_regime(spec, on)
    terms = spec.get("terms")
    return Case(
        identity=Identity(
            legal_name=identity["legal_name"], legal_form=identity["legal_form"],
            siren=identity["siren"],
            vat_number=identity.get("vat_number", ""), vat_regime=identity["vat_regime"],
            address=_address(identity.get("address")), email=identity.get("email", ""),
            phone=identity.get("phone", ""), insurer=insurance.get("insurer", ""),
            insurance_coverage=insurance.get("coverage", ""),
            mediator_name=mediator.get("name", ""), mediator_website=mediator.get("website", ""),
            mediator_address=mediator.get("address", ""),
            profession=identity.get("profession", "general"),
            einvoicing_from=_date(identity.get("einvoicing_from")),
            vat_on_debits=bool(identity.get("vat_on_debits", False)),
        ),
        client=the_client,
        terms_body=terms["body"] if terms else None,
        title=body["title"],
        service_description=body["service_description"],
        channel=body["channel"],
        issue_date=issue_date,
        validity_date=_date(body.get("validity_date")),
        start_date=_date(body.get("start_date")),
        end_date=_date(body.get("end_date")),
        duration=body.get("duration", ""),
        early_start_requested=bool(body.get("early_start_requested", False)),
        refund_terms=body.get("refund_terms", ""),
        cancellation_terms=body.get("cancellation_terms", ""),
        lines=lines,
        payment=Payment(
            model=payment["model"],
            deposit_percent=_decimal(payment.get("deposit_percent")),
            deposit_label=payment.get("deposit_label", ""),
            due_days=payment.get("due_days"),
            due_basis=payment.get("due_basis", "invoice_date"),
            discount_percent=_decimal(payment.get("early_payment_discount_percent")),
            discount_days=payment.get("early_payment_discount_days"),
            late_penalty_rate=_decimal(payment.get("late_penalty_rate")),
            recovery_indemnity=_decimal(payment.get("recovery_indemnity")),
            time_credit_validity_months=payment.get("time_credit_validity_months"),
            unused_credit=payment.get("unused_credit", "refunded"),
            milestone_amounts=tuple(Decimal(m["amount"]) for m in payment.get("milestones", [])),
        ),
        fee_agreement=FeeAgreement(
            basis=fees.get("basis", ""), hourly_rate=_decimal(fees.get("hourly_rate")),
            success_fee=bool(fees.get("success_fee", False)),
            provision=_decimal(fees.get("provision")), exemption=fees.get("exemption", ""),
        ),
        totals=compute_totals(lines),
        on=on,
        regime=regime,
        is_small_business_off_premises=regime.is_small_business_off_premises,
        operation_category=body.get("operation_category") or "services",
        delivery_address=_delivery_address(body.get("delivery_address")),
    )


def _delivery_address(data):
    address = _address(data)
    given = (address.line1.strip(), address.postcode.strip(), address.city.strip())
    return address if any(given) else None
