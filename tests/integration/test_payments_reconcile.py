"""Property: whatever the prices, VAT rates, deposit, milestones and partial payments, the
schedule, the invoices (less credit notes) and the payments (less refunds) add up to the
accepted total incl. VAT, to the cent."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terms_kit.models import Invoice
from terms_kit.services import payments
from terms_kit.services.status import change_status
from terms_kit.spec import import_spec
from terms_kit.status import Origin
from tests.conftest import scenario_spec

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=D("0.01"), max_value=D("20000"), places=2)
rates = st.sampled_from([D("20.00"), D("10.00"), D("5.50"), D("2.10")])


@st.composite
def plans(draw):
    lines = draw(st.lists(st.tuples(money, st.integers(1, 3), rates), min_size=1, max_size=4))
    model = draw(st.sampled_from(["milestones", "deposit", "full_prepayment"]))
    deposit = draw(st.one_of(st.none(), st.decimals(min_value=D("1"), max_value=D("90"),
                                                    places=2)))
    milestone_count = draw(st.integers(1, 4))
    # Each payment is this share of what is due (the rest paid next time).
    splits = draw(st.lists(st.integers(1, 100), min_size=1, max_size=6))
    refund_share = draw(st.integers(0, 100))
    return lines, model, deposit, milestone_count, splits, refund_share


def _spec(lines, model, deposit, milestone_count):
    data = scenario_spec("S2")
    data["engagement"]["lines"] = [
        {"description": f"line {n}", "quantity": f"{qty}.000", "unit": "forfait",
         "unit_price": str(price), "vat_rate": str(rate), "discount_percent": None}
        for n, (price, qty, rate) in enumerate(lines)]
    total = sum((price * qty for price, qty, _rate in lines), D("0"))
    payment = data["engagement"]["payment"]
    payment["model"] = model
    payment["deposit_percent"] = str(deposit) if deposit and model != "full_prepayment" else None
    if model == "deposit" and not payment["deposit_percent"]:
        payment["deposit_percent"] = "30.00"
    milestones = []
    if model == "milestones":
        share = (total / milestone_count).quantize(D("0.01"))
        amounts = [share] * (milestone_count - 1) + [total - share * (milestone_count - 1)]
        if any(a <= 0 for a in amounts):
            amounts = [total]
        milestones = [{"label": f"M{n}", "amount": str(a), "deliverable": "", "validation": ""}
                      for n, a in enumerate(amounts)]
    payment["milestones"] = milestones
    return data


def _pay_what_is_due(engagement, splits, on):
    for share in splits + [100]:
        due = sum((i.left_to_pay for i in engagement.instalments.all() if i.is_open), D("0"))
        if due <= 0:
            return
        amount = max(D("0.01"), (due * share / 100).quantize(D("0.01")))
        payments.record_payment(engagement, amount=min(amount, due), paid_on=on,
                                method="transfer")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans())
def test_everything_adds_up_to_the_accepted_total(text_pdfs, expert, plan):
    lines, model, deposit, milestone_count, splits, refund_share = plan
    with transaction.atomic():
        engagement = import_spec(_spec(lines, model, deposit, milestone_count), expert)
        change_status(engagement, "sent", origin=Origin.ACCEPTANCE)
        change_status(engagement, "accepted", origin=Origin.ACCEPTANCE)
        total = engagement.totals.total_incl_vat
        on = datetime.date(2026, 11, 30)
        instalments = payments.create_schedule(engagement)
        assert sum((i.amount for i in instalments), D("0")) == total
        _pay_what_is_due(engagement, splits, on)
        for instalment in engagement.instalments.filter(milestone__isnull=False):
            payments.mark_milestone_done(engagement, instalment.milestone, on=on)
            _pay_what_is_due(engagement, splits, on)
        if engagement.instalments.filter(due_trigger="completion", state="scheduled").exists():
            payments.mark_completed(engagement, on=on)
            _pay_what_is_due(engagement, splits, on)
        engagement.refresh_from_db()
        assert engagement.status == "paid"
        invoices = list(Invoice.objects.filter(engagement=engagement))
        billed = sum((i.net for i in invoices if i.kind != "credit_note"), D("0"))
        received = sum((p.amount for p in engagement.payments.all()), D("0"))
        # S2's terms give 2 % for payment within 10 days: a payment short by at most that
        # settles its invoice with an early-payment discount credit note.
        discounts = sum((i.net for i in invoices if i.kind == "credit_note"), D("0"))
        assert billed == total == received + discounts
        for invoice in invoices:  # each invoice's rows add up to its totals
            rows = invoice.snapshot["rows"]
            assert sum(D(r["base"]) + D(r["vat"]) for r in rows) == invoice.incl_vat
            assert invoice.incl_vat - invoice.deducted == invoice.net
        # A refund: its credit note gives back exactly what was refunded.
        payment = engagement.payments.order_by("pk").last()
        refund_amount = (payment.amount * refund_share / 100).quantize(D("0.01"))
        if refund_amount > 0:
            refund = payments.refund_payment(payment, amount=refund_amount, reason="test")
            credited = sum((i.net for i in Invoice.objects.filter(
                engagement=engagement, kind="credit_note")), D("0")) - discounts
            assert credited == refund.amount
            assert billed - discounts - credited == received - refund.amount
        transaction.set_rollback(True)
