"""The expert's status page, once money is involved: whatever the payments made the status
(deposit due, overdue, in progress, balance due, paid, refunded), the page offers by hand only
changes the status table gives to the expert (cancel, formal notice), never one that payments
or acceptance own, and posting one of those is refused with no trace."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import StatusChange
from terms_kit.services import payments
from terms_kit.status import ORIGINS, Origin, Status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def offered(client, engagement):
    html = client.get(reverse("terms_kit_engagement:status", args=[engagement.pk])
                      ).content.decode()
    return {value for value in
            re.findall(r'<input type="radio" name="to_status" value="([a-z_]+)"', html)}


def pay(engagement, amount, on=None):
    return payments.record_payment(engagement, amount=amount, paid_on=on or TODAY(),
                                   method="transfer")


def _through_the_money_statuses(engagement):
    """S2 from acceptance to refunded through the payment services; yields each status."""
    yield Status.DEPOSIT_DUE
    tomorrow = TODAY() + datetime.timedelta(days=1)
    payments.payments_sweep(tomorrow)
    yield Status.OVERDUE
    pay(engagement, "4320.00", on=tomorrow)
    yield Status.IN_PROGRESS
    payments.mark_milestone_done(engagement, engagement.milestones.first(), on=tomorrow)
    yield Status.BALANCE_DUE
    pay(engagement, "480.00", on=tomorrow)
    for milestone in list(engagement.milestones.all())[1:]:
        payments.mark_milestone_done(engagement, milestone, on=tomorrow)
        due = sum(i.left_to_pay for i in engagement.instalments.all() if i.is_open)
        pay(engagement, str(due), on=tomorrow)
    yield Status.PAID
    payments.refund_payment(engagement.payments.order_by("pk").last(), amount="100.00",
                            reason="gesture")
    yield Status.REFUNDED


def test_money_statuses_offer_only_the_experts_own_changes(text_pdfs, accepted, client):
    engagement, _link = accepted("S2")
    client.force_login(engagement.owner)
    seen = []
    for expected in _through_the_money_statuses(engagement):
        engagement.refresh_from_db()
        assert engagement.status == expected
        seen.append(expected)
        for to_status in offered(client, engagement):
            assert Origin.MANUAL in ORIGINS[(engagement.status, to_status)], (
                engagement.status, to_status)
        money_owned = {to for (frm, to), origins in ORIGINS.items()
                       if frm == engagement.status and Origin.MANUAL not in origins}
        assert not offered(client, engagement) & money_owned
        # Posting a change payments own is refused and writes nothing.
        for to_status in money_owned:
            before = StatusChange.objects.count()
            response = client.post(reverse("terms_kit_engagement:status",
                                           args=[engagement.pk]), {"to_status": to_status})
            assert response.status_code == 200, (engagement.status, to_status)
            assert StatusChange.objects.count() == before
            engagement.refresh_from_db()
            assert engagement.status == expected
    assert seen == [Status.DEPOSIT_DUE, Status.OVERDUE, Status.IN_PROGRESS,
                    Status.BALANCE_DUE, Status.PAID, Status.REFUNDED]
    # Where the table lets the expert act, the page says so: cancel while money is awaited.
    other, _link = accepted("S2")
    assert offered(client, other) == {"cancelled"}


def test_milestone_invoice_due_at_the_end_of_the_month_when_the_terms_say_so(
        text_pdfs, accepted):
    def end_of_month(data):
        data["engagement"]["payment"].update(due_basis="end_of_month", due_days=30)

    engagement, _link = accepted("S2", change=end_of_month)
    pay(engagement, "4320.00")
    on = datetime.date(2027, 1, 20)
    invoice = payments.mark_milestone_done(engagement, engagement.milestones.first(), on=on)
    # 30 days after 20 January is 19 February; end of that month: 28 February 2027.
    assert invoice.issue_date == on and invoice.due_date == datetime.date(2027, 2, 28)
    instalment = invoice.instalment
    assert instalment.due_date == invoice.due_date
