"""S1, S2 and S3 from acceptance to "paid" through HTTP only (S4-S6 are in
test_payments_scenarios_http.py): the expert works on the admin ledger (card-terminal hold,
payments, milestones done, sessions used), the client reads the client page (what is due,
the transfer QR code, the invoices). Figures from ../shared/scenarios/SCENARIOS.md."""

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
    response = Client().get(reverse("terms_kit:client_review", args=[link.token]))
    assert response.status_code == 200
    return response.content.decode()


def pay(expert, engagement, amount, method="transfer"):
    response = expert.post(ledger(engagement, "terms_kit_ledger_pay"), {
        "amount": str(amount), "paid_on": timezone.localdate().isoformat(), "method": method,
        "reference": f"ref {amount}"})
    assert response.status_code == 302, response.content.decode()[-2000:]


def status(engagement):
    engagement.refresh_from_db()
    return engagement.status


def test_s1_terminal_hold_then_capture_through_the_ledger(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    engagement, link = accepted("S1")
    client.force_login(engagement.owner)
    [hold] = engagement.instalments.all()
    assert status(engagement) == "deposit_due" and hold.amount == D("60.00")
    assert "60,00" in client_page(link)
    assert client.post(ledger(engagement, "terms_kit_ledger_terminal_hold", hold.pk),
                       {"reference": "TPE 0107"}).status_code == 302
    assert status(engagement) == "in_progress"
    assert b"Work may start." in client.get(ledger(engagement)).content
    # After the call, the hold is captured at the terminal: recorded as a card payment.
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, "60.00", method="card_terminal")
    assert status(engagement) == "paid"
    [invoice] = Invoice.objects.filter(engagement=engagement)
    assert (invoice.kind, invoice.net, invoice.vat) == ("final", D("60.00"), D("0.00"))
    page = client_page(link)
    assert invoice.number in page and 'id="pay-' not in page
    assert client.get(reverse("terms_kit_invoice_download", args=[invoice.pk, "pdf"])
                      ).status_code == 200


def test_s2_deposit_milestones_and_final_through_the_ledger(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    engagement, link = accepted("S2")
    client.force_login(engagement.owner)
    # 12,000.00 excl. VAT, 14,400.00 incl. VAT; 30 % deposit = 4,320.00, due at acceptance.
    assert status(engagement) == "deposit_due"
    page = client_page(link)
    assert 'class="epc-qr"' in page and ("4\u202f320,00" in page or "4 320,00" in page)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, "4320.00")
    assert status(engagement) == "in_progress"
    for instalment in engagement.instalments.filter(milestone__isnull=False).order_by(
            "position"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(ledger(engagement, "terms_kit_ledger_milestone_done",
                                      instalment.pk)).status_code == 302
        assert status(engagement) == "balance_due"
        invoice = instalment.invoices.get()
        assert invoice.number in client_page(link)
        with django_capture_on_commit_callbacks(execute=True):
            pay(client, engagement, invoice.net)
    assert status(engagement) == "paid"
    invoices = list(Invoice.objects.filter(engagement=engagement).order_by("sequence"))
    # Deposit 4,320.00; milestone 1 4,800.00 less the deposit = 480.00; milestone 2
    # 7,200.00; the last one is the final invoice: 14,400.00 less every earlier invoice.
    assert [(i.kind, i.net) for i in invoices] == [
        ("deposit", D("4320.00")), ("milestone", D("480.00")), ("milestone", D("7200.00")),
        ("final", D("2400.00"))]
    assert invoices[-1].incl_vat == D("14400.00")
    assert sum(p.amount for p in Payment.objects.filter(engagement=engagement)) == D("14400.00")
    page = client_page(link)
    assert all(i.number in page for i in invoices)
    assert 'id="pay-' not in page and 'class="epc-qr"' not in page


def test_s3_credit_pack_paid_then_used_through_the_ledger(
        text_pdfs, accepted, client, django_capture_on_commit_callbacks):
    engagement, link = accepted("S3")
    client.force_login(engagement.owner)
    today = timezone.localdate().isoformat()
    # A session cannot be recorded before the pack is paid.
    refused = client.post(ledger(engagement, "terms_kit_ledger_credit"),
                          {"quantity": "1", "used_on": today})
    assert refused.status_code == 400 and b"not paid yet" in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, engagement, "900.00", method="card_terminal")
    assert status(engagement) == "paid"
    for hours in ("1.5", "2"):
        assert client.post(ledger(engagement, "terms_kit_ledger_credit"),
                           {"quantity": hours, "used_on": today}).status_code == 302
    page = client_page(link)
    assert 'id="credit"' in page and ("6,5" in page or "6.5" in page)
    [invoice] = Invoice.objects.filter(engagement=engagement)
    assert invoice.net == D("900.00") and invoice.number in page
