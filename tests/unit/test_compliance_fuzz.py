"""The checker never crashes on a spec of valid shape, whatever the values."""

import copy
import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terms_kit.compliance import Finding, Severity, check_spec
from terms_kit.spec.schema import load_schema

DEFS = load_schema()["$defs"]
decimals = st.from_regex(r"\A-?[0-9]{1,9}(\.[0-9]{1,4})?\Z")
optional_decimals = st.none() | decimals
dates = st.dates(datetime.date(2000, 1, 1), datetime.date(2035, 12, 31)).map(
    datetime.date.isoformat)
optional_dates = st.none() | dates
counts = st.none() | st.integers(0, 10**6)
texts = st.text(max_size=40)


def enum(definition, name):
    return st.sampled_from(DEFS[definition]["properties"][name]["enum"])


addresses = st.fixed_dictionaries({}, optional={
    "line1": texts, "postcode": texts, "city": texts,
    "country": st.sampled_from(["FR", "BE", "CH"])})
identities = st.fixed_dictionaries({
    "legal_name": st.text(min_size=1, max_size=40), "legal_form": enum("identity", "legal_form"),
    "siren": st.sampled_from(["123456782", "", "12"]),
    "vat_regime": enum("identity", "vat_regime"), "email": st.just("a@example.fr"),
}, optional={
    "address": addresses, "phone": texts, "vat_number": texts,
    "profession": enum("identity", "profession"), "einvoicing_from": optional_dates,
    "vat_on_debits": st.booleans(),
    "insurance": st.fixed_dictionaries({}, optional={"insurer": texts, "coverage": texts}),
    "mediator": st.fixed_dictionaries({}, optional={"name": texts, "website": texts,
                                                    "address": texts}),
})
clients = st.fixed_dictionaries({
    "kind": st.sampled_from(["business", "consumer"]), "name": st.text(min_size=1, max_size=20),
    "email": st.just("c@example.fr"),
}, optional={
    "address": addresses, "siren": st.sampled_from(["183016617", "", "99"]), "headcount": counts,
    "outside_core_activity": st.booleans(),
    "vat_number": st.sampled_from(["BE0403170701", "BE0403170702", "", "XX1", "FR"]),
})
lines = st.fixed_dictionaries({
    "description": st.text(min_size=1, max_size=20), "quantity": decimals,
    "unit_price": decimals, "vat_rate": decimals,
}, optional={"discount_percent": optional_decimals,
             "vat_exemption": enum("line", "vat_exemption")})
payments = st.fixed_dictionaries({"model": enum("payment", "model")}, optional={
    "deposit_percent": optional_decimals, "deposit_label": enum("payment", "deposit_label"),
    "due_days": counts, "due_basis": enum("payment", "due_basis"),
    "early_payment_discount_percent": optional_decimals, "early_payment_discount_days": counts,
    "late_penalty_rate": optional_decimals, "recovery_indemnity": optional_decimals,
    "time_credit_hours": optional_decimals, "time_credit_validity_months": counts,
    "milestones": st.lists(st.fixed_dictionaries({"label": st.text(min_size=1, max_size=10),
                                                  "amount": decimals}), max_size=3),
})
engagements = st.fixed_dictionaries({
    "title": st.text(min_size=1, max_size=40), "service_description": st.text(min_size=1),
    "channel": enum("engagement", "channel"), "lines": st.lists(lines, min_size=1, max_size=4),
    "payment": payments,
}, optional={
    "issue_date": dates, "validity_date": optional_dates, "start_date": optional_dates,
    "end_date": optional_dates, "duration": texts, "early_start_requested": st.booleans(),
    "refund_terms": texts, "cancellation_terms": texts,
    "operation_category": enum("engagement", "operation_category"),
    "delivery_address": addresses,
})
terms = st.none() | st.fixed_dictionaries({
    "title": st.text(min_size=1, max_size=20), "language": st.sampled_from(["fr", "en"]),
    "body": st.text(min_size=1, max_size=200)})
specs = st.fixed_dictionaries({"spec_version": st.just(2), "identity": identities,
                               "client": clients, "engagement": engagements, "terms": terms})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_checker_never_crashes(spec):
    before = copy.deepcopy(spec)
    findings = check_spec(spec)
    assert spec == before  # the checker reads, it never changes what it is given
    assert all(isinstance(f, Finding) and isinstance(f.severity, Severity) and f.message
               and f.field for f in findings)
