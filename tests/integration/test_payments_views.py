"""The ledger page and the client's payments block over HTTP: owner-only, CSRF, forms."""

import datetime
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import Invoice, Payment
from terms_kit.services import payments

pytestmark = pytest.mark.django_db


def ledger_url(engagement, name="terms_kit_engagement_ledger", *args):
    return reverse(name, args=[engagement.pk, *args])


@pytest.fixture
def as_owner(client):
    def login(engagement):
        client.force_login(engagement.owner)
        return client
    return login


def test_ledger_records_a_payment_and_shows_invoices(
        text_pdfs, accepted, as_owner, django_capture_on_commit_callbacks):
    from terms_kit.tasks import make_invoice_document

    engagement, _link = accepted("S2")
    client = as_owner(engagement)
    page = client.get(ledger_url(engagement))
    assert page.status_code == 200
    assert "€4,320.00" in page.content.decode() and b"Work may not start yet" in page.content
    with django_capture_on_commit_callbacks() as queued:  # committed, task not run yet
        response = client.post(ledger_url(engagement, "terms_kit_ledger_pay"), {
            "amount": "4320.00", "paid_on": timezone.localdate().isoformat(),
            "method": "transfer", "reference": "VIR 77"})
    assert response.status_code == 302 and queued
    invoice = Invoice.objects.get()
    page = client.get(ledger_url(engagement))
    assert invoice.number.encode() in page.content and b"Work may start." in page.content
    # The invoice is numbered at once; its document comes from the task.
    assert b"document being prepared" in page.content
    assert client.get(reverse("terms_kit_invoice_download", args=[invoice.pk, "pdf"])
                      ).status_code == 404
    make_invoice_document.enqueue(invoice.pk)
    page = client.get(ledger_url(engagement))
    assert b"document being prepared" not in page.content
    download = client.get(reverse("terms_kit_invoice_download", args=[invoice.pk, "pdf"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Mark the first milestone done from the page: its invoice is issued.
    first = engagement.instalments.get(position=2)
    assert client.post(ledger_url(engagement, "terms_kit_ledger_milestone_done", first.pk)
                       ).status_code == 302
    assert Invoice.objects.filter(kind="milestone").count() == 1


def test_overpayment_in_the_admin_is_refused_next_to_the_amount(text_pdfs, accepted, as_owner):
    engagement, _link = accepted("S2")
    client = as_owner(engagement)
    response = client.post(ledger_url(engagement, "terms_kit_ledger_pay"), {
        "amount": "9999.00", "paid_on": timezone.localdate().isoformat(), "method": "cheque"})
    assert response.status_code == 400
    assert b"more than what is due now" in response.content
    assert not Payment.objects.exists()


def test_another_expert_gets_404_everywhere(text_pdfs, accepted, make_expert):
    engagement, _link = accepted("S2")
    payment = payments.record_payment(engagement, amount="4320.00",
                                      paid_on=timezone.localdate(), method="transfer")
    invoice = payment.invoices.get()
    other = Client()
    other.force_login(make_expert("other"))
    assert other.get(ledger_url(engagement)).status_code == 404
    assert other.post(ledger_url(engagement, "terms_kit_ledger_pay"), {
        "amount": "1.00", "paid_on": "2026-11-29", "method": "cash"}).status_code == 404
    assert other.post(ledger_url(engagement, "terms_kit_ledger_receipt", payment.pk)
                      ).status_code == 404
    assert other.get(reverse("terms_kit_invoice_download", args=[invoice.pk, "pdf"])
                     ).status_code == 404
    assert Payment.objects.count() == 1


def test_ledger_posts_need_csrf(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    client = Client(enforce_csrf_checks=True)
    client.force_login(engagement.owner)
    response = client.post(ledger_url(engagement, "terms_kit_ledger_pay"), {
        "amount": "4320.00", "paid_on": "2026-11-29", "method": "transfer"})
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_client_page_shows_due_transfer_qr_then_invoices_after_paying(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, link = accepted("S2")
    review = reverse("terms_kit:client_review", args=[link.token])
    page = Client().get(review).content.decode()
    assert 'id="payments"' in page and "4\u202f320,00" in page
    assert "data:image/svg+xml;base64," in page and 'class="epc-qr"' in page
    assert engagement.identity.iban in page
    with django_capture_on_commit_callbacks() as queued:
        payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                                method="transfer")
    page = Client().get(review).content.decode()
    invoice = Invoice.objects.get()
    assert invoice.number in page and 'class="epc-qr"' not in page
    assert 'class="preparing"' in page and "document en préparation" in page  # until made
    for callback in queued:
        callback()  # the transaction's commit hooks: the document task (immediate backend)
    page = Client().get(review).content.decode()
    assert 'class="preparing"' not in page
    url = reverse("terms_kit:client_invoice", args=[link.token, invoice.pk, "pdf"])
    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_client_link_never_returns_another_engagements_invoice(text_pdfs, accepted):
    first, first_link = accepted("S2")
    second, _second_link = accepted("S5")
    payments.record_payment(second, amount="900.00", paid_on=timezone.localdate(),
                            method="cheque")
    foreign = Invoice.objects.get(engagement=second)
    url = reverse("terms_kit:client_invoice", args=[first_link.token, foreign.pk, "pdf"])
    assert Client().get(url).status_code == 404
    assert first.pk != second.pk


def test_time_credit_session_from_the_ledger_and_on_the_client_page(text_pdfs, accepted,
                                                                    as_owner):
    engagement, link = accepted("S3")
    payments.record_payment(engagement, amount="900.00", paid_on=timezone.localdate(),
                            method="card_terminal")
    client = as_owner(engagement)
    response = client.post(ledger_url(engagement, "terms_kit_ledger_credit"), {
        "quantity": "2", "used_on": timezone.localdate().isoformat(), "note": "séance 1"})
    assert response.status_code == 302
    response = client.post(ledger_url(engagement, "terms_kit_ledger_credit"), {
        "quantity": "20", "used_on": (timezone.localdate() + datetime.timedelta(days=1))
        .isoformat()})
    assert response.status_code == 400 and b"Only 8" in response.content
    page = Client().get(reverse("terms_kit:client_review", args=[link.token])).content.decode()
    assert 'id="credit"' in page and "8" in page
    assert payments.credit_summary(engagement)["left"] == D("8")


@pytest.mark.parametrize("language, total, deposit, date_format", [
    ("fr", "14\u202f400,00\u00a0€", "4\u202f320,00\u00a0€", "%d/%m/%Y"),
    ("en", "€14,400.00", "€4,320.00", "%d/%m/%Y"),
])
def test_ledger_money_and_dates_in_the_experts_language(
        text_pdfs, accepted, as_owner, make_expert, language, total, deposit, date_format):
    from wagtail.users.models import UserProfile

    engagement, _link = accepted("S2")
    profile = UserProfile.get_for_user(engagement.owner)
    profile.preferred_language = language
    profile.save()
    payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                            method="transfer")
    client = as_owner(engagement)
    page = client.get(ledger_url(engagement)).content.decode()
    today = timezone.localdate().strftime(date_format)  # 29/11/2026 in both languages
    assert total in page and deposit in page
    assert f"<td>{today}</td>" in page  # the payment's and the invoice's dates
    assert "14400.00" not in page and "4320.00</td>" not in page
    # The refund form offers the payment with the same formats.
    assert f"{today} · {deposit}" in page
    # Another expert, whatever their language, gets a 404.
    other = Client()
    other.force_login(make_expert("other"))
    assert other.get(ledger_url(engagement)).status_code == 404


def test_a_terminal_pre_authorisation_recorded_on_the_ledger_secures_s1(
        text_pdfs, accepted, as_owner, make_expert):
    engagement, _link = accepted("S1")
    [instalment] = engagement.instalments.all()
    url = ledger_url(engagement, "terms_kit_ledger_terminal_hold", instalment.pk)
    other = Client()
    other.force_login(make_expert("other"))
    assert other.post(url, {"reference": "X"}).status_code == 404
    client = as_owner(engagement)
    assert b"Record the hold" in client.get(ledger_url(engagement)).content
    client.post(url, {"reference": ""})  # refused: nothing recorded
    instalment.refresh_from_db()
    assert instalment.secured_at is None
    assert client.post(url, {"reference": "TPE 0107"}).status_code == 302
    instalment.refresh_from_db()
    engagement.refresh_from_db()
    assert instalment.secured_reference == "terminal: TPE 0107"
    assert engagement.status == "in_progress" and payments.may_start(engagement)
    assert b"Record the hold" not in client.get(ledger_url(engagement)).content
