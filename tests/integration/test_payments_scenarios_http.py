"""S4, S5 and S6 from acceptance to "paid" through HTTP only: the expert works on the admin
ledger (acts, payments, service completed), the client reads the client page. Figures from
../shared/scenarios/SCENARIOS.md, worked in each test."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import Invoice, Payment

pytestmark = pytest.mark.django_db


def ledger(engagement, name="terms_kit_engagement_ledger", *args):
    return reverse(name, args=[engagement.pk, *args])


def client_page(link):
    return Client().get(reverse("terms_kit:client_review", args=[link.token])).content.decode()


def pay(expert, engagement, amount, method="transfer"):
    response = expert.post(ledger(engagement, "terms_kit_ledger_pay"), {
        "amount": amount, "paid_on": timezone.localdate().isoformat(), "method": method,
        "reference": f"ref {amount}"})
    assert response.status_code == 302, "payment refused"


def status(engagement):
    engagement.refresh_from_db()
    return engagement.status


def test_s4_pay_per_act_through_the_ledger_and_the_client_page(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    engagement, link = accepted("S4")
    client.force_login(engagement.owner)
    today = timezone.localdate().isoformat()
    assert status(engagement) == "in_progress"  # nothing is owed before the first act
    # Act 1 (25.00 incl. VAT): invoiced when recorded, payable before the next act.
    assert client.post(ledger(engagement, "terms_kit_ledger_act"),
                       {"used_on": today, "note": "question 1"}).status_code == 302
    assert status(engagement) == "balance_due"
    [first] = Invoice.objects.filter(engagement=engagement, kind="act")
    assert first.net == D("25.00") and first.number in client_page(link)
    refused = client.post(ledger(engagement, "terms_kit_ledger_act"),
                          {"used_on": today, "note": "question 2"})
    assert refused.status_code == 400 and b"not paid yet" in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, "25.00", method="card_terminal")
    assert status(engagement) == "in_progress"
    assert client.post(ledger(engagement, "terms_kit_ledger_act"),
                       {"used_on": today, "note": "question 2"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, "25.00", method="card_terminal")
    assert client.post(ledger(engagement, "terms_kit_ledger_completed")).status_code == 302
    assert status(engagement) == "paid"
    # Two acts at 25.00: 50.00 invoiced, 50.00 paid, nothing left to pay on the client page.
    invoices = Invoice.objects.filter(engagement=engagement, kind="act")
    assert sum(i.net for i in invoices) == D("50.00") == sum(
        p.amount for p in Payment.objects.filter(engagement=engagement))
    page = client_page(link)
    assert all(i.number in page for i in invoices) and 'id="pay-' not in page


def test_s5_deposit_and_final_invoice_through_the_ledger_and_the_client_page(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    engagement, link = accepted("S5")
    client.force_login(engagement.owner)
    # S5: 1,800.00 incl. VAT, 50 % deposit = 900.00, the balance 900.00 on completion.
    total = D("1800.00")
    deposit = (total * D("0.50")).quantize(D("0.01"))  # 900.00
    assert status(engagement) == "deposit_due"
    assert "900,00" in client_page(link) or "900.00" in client_page(link)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, str(deposit), method="cheque")
    assert status(engagement) == "in_progress"
    assert client.post(ledger(engagement, "terms_kit_ledger_completed")).status_code == 302
    assert status(engagement) == "balance_due"
    final = Invoice.objects.get(engagement=engagement, kind="final")
    assert (final.incl_vat, final.deducted, final.net) == (total, deposit, total - deposit)
    assert final.number in client_page(link)
    overpaid = client.post(ledger(engagement, "terms_kit_ledger_pay"), {
        "amount": str(total - deposit + D("0.01")), "paid_on": timezone.localdate().isoformat(),
        "method": "transfer"})
    assert overpaid.status_code == 400 and status(engagement) == "balance_due"
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, str(total - deposit))
    assert status(engagement) == "paid"
    page = client_page(link)
    assert all(i.number in page for i in Invoice.objects.filter(engagement=engagement))
    assert 'id="pay-' not in page


def test_s6_self_paid_training_through_the_ledger_and_the_client_page(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    import datetime

    from terms_kit.services import payments

    engagement, link = accepted("S6")
    client.force_login(engagement.owner)
    start = timezone.localdate()
    # S6: 1,200.00 incl. VAT; nothing payable in the 10-day period, then at most 30 %.
    total, cap = D("1200.00"), D("1200.00") * D("0.30")
    assert status(engagement) == "accepted"
    assert 'id="pay-' not in client_page(link)
    assert b"withdrawal period runs until" in client.get(ledger(engagement)).content
    early = client.post(ledger(engagement, "terms_kit_ledger_pay"), {
        "amount": "360.00", "paid_on": (start + datetime.timedelta(days=5)).isoformat(),
        "method": "transfer"})
    assert early.status_code == 400 and b"withdrawal period ends" in early.content
    assert not Payment.objects.filter(engagement=engagement).exists()
    day11 = start + datetime.timedelta(days=11)
    assert payments.payments_sweep(day11)["fell_due"] == 1  # the daily command's service
    assert status(engagement) == "deposit_due"
    [first] = Invoice.objects.filter(engagement=engagement)
    assert first.net <= cap and first.number in client_page(link)

    def pay_on_day11(amount):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ledger(engagement, "terms_kit_ledger_pay"), {
                "amount": amount, "paid_on": day11.isoformat(), "method": "transfer"})
        assert response.status_code == 302

    pay_on_day11(str(first.net))
    for instalment in engagement.instalments.order_by("position")[1:]:
        assert client.post(ledger(engagement, "terms_kit_ledger_milestone_done",
                                  instalment.pk)).status_code == 302
        instalment.refresh_from_db()
        pay_on_day11(str(instalment.amount))
    assert status(engagement) == "paid"
    invoices = Invoice.objects.filter(engagement=engagement)
    assert sum(i.net for i in invoices) == total == sum(
        p.amount for p in Payment.objects.filter(engagement=engagement))
    page = client_page(link)
    assert all(i.number in page for i in invoices) and 'id="pay-' not in page
