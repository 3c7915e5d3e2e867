"""A typed, read-only view of one engagement spec, built once and read by every rule.

Rules never see the raw dict nor the database: the wizard's live panel, the CLI and imported
specs all go through ``build_case``. The spec must have the shape of the JSON Schema
(``terms_kit.spec.validate_spec`` says when it has not); missing optional fields get the
model's defaults.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from ..money import Totals, compute_totals
from . import params

PAYING_BEFORE_SERVICE = {"deposit", "full_prepayment", "time_credit"}


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
        return self.legal_form in ("ei", "micro")

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
    milestone_amounts: tuple


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
    totals: Totals
    on: datetime.date  # the date figures are chosen for
    is_small_business_off_premises: bool
    operation_category: str = "services"
    # Décret 2022-1299: given only when it differs from the client's address (else None).
    delivery_address: Address | None = None

    # -- who the client is in law ------------------------------------------------------

    @property
    def is_consumer(self):
        """A private person: mediation, deposits, unfair terms, recovery fees."""
        return self.client.kind == "consumer"

    @property
    def is_business(self):
        """Any business client, small or not: commercial payment terms (C. com. L441-10)."""
        return self.client.kind == "business"

    @property
    def is_consumer_regime(self):
        """Consumers and, off premises, businesses of 5 or fewer outside their core activity
        (C. conso L221-3): pre-contract information, withdrawal, early start."""
        return self.is_consumer or self.is_small_business_off_premises

    @property
    def is_distance_or_off_premises(self):
        return self.channel in ("distance", "off_premises")

    # -- money -------------------------------------------------------------------------

    @property
    def pays_before_service(self):
        """Money is taken before the service: a deposit or the whole price up front."""
        return self.payment.model in PAYING_BEFORE_SERVICE or bool(self.payment.deposit_percent)

    def param(self, name):
        """Figure ``name`` for this document's date (``MissingParameter`` if none)."""
        return params.value(name, self.on)

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
    small_off_premises = (
        the_client.kind == "business"
        and body["channel"] == "off_premises"
        and the_client.outside_core_activity
        and the_client.headcount is not None
        and the_client.headcount <= params.value("small_business_max_employees", on)
    )
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
            milestone_amounts=tuple(Decimal(m["amount"]) for m in payment.get("milestones", [])),
        ),
        totals=compute_totals(lines),
        on=on,
        is_small_business_off_premises=small_off_premises,
        operation_category=body.get("operation_category") or "services",
        delivery_address=_delivery_address(body.get("delivery_address")),
    )


def _delivery_address(data):
    address = _address(data)
    given = (address.line1.strip(), address.postcode.strip(), address.city.strip())
    return address if any(given) else None
