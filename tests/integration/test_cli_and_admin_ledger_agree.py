"""Headless and admin are one: the same payment recorded with `termskit pay` on one engagement
and through the admin ledger form on a twin engagement gives the same payment, invoice and
status history; `termskit ledger --format json` says what the admin ledger page shows
(instalments, invoice numbers and totals, payments, left to pay, work may start); and the
two refuse the same overpayment with the same message."""

import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import formats, timezone, translation

from terms_kit.models import Invoice, Payment, StatusChange

pytestmark = pytest.mark.django_db


def _outcome(engagement):
    engagement.refresh_from_db()
    payment = Payment.objects.get(engagement=engagement)
    invoices = [(i.kind, i.excl_vat, i.vat, i.incl_vat, i.deducted, i.net)
                for i in Invoice.objects.filter(engagement=engagement).order_by("sequence")]
    history = [(c.from_status, c.to_status, c.origin)
               for c in StatusChange.objects.filter(engagement=engagement).order_by("pk")]
    return {"status": engagement.status, "invoices": invoices, "history": history,
            "payment": (payment.amount, payment.paid_on, payment.method, payment.reference),
            "instalments": [(i.kind, i.amount, i.state)
                            for i in engagement.instalments.order_by("position")]}


def test_cli_pay_and_the_admin_form_record_the_same_thing(
        text_pdfs, accepted, client, capsys, django_capture_on_commit_callbacks):
    by_cli, _link = accepted("S2")
    day = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "pay", by_cli.number, "--amount", "4320.00", "--method",
                     "cheque", "--date", day, "--reference", "CHQ 12")
    by_admin, _link = accepted("S2")  # the twin (its invoice is the expert's next number)
    client.force_login(by_admin.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("terms_kit_ledger_pay", args=[by_admin.pk]), {
            "amount": "4320.00", "paid_on": day, "method": "cheque", "reference": "CHQ 12"})
    assert response.status_code == 302
    cli, admin = _outcome(by_cli), _outcome(by_admin)
    # The history rows name who did it (nobody for the CLI, the expert in the admin);
    # what changed, and by which service, is the same.
    assert cli == admin

    # The same overpayment is refused by both with the same message.
    with pytest.raises(CommandError) as refused:
        call_command("termskit", "pay", by_cli.number, "--amount", "9999.00", "--method",
                     "transfer", "--date", day)
    page = client.post(reverse("terms_kit_ledger_pay", args=[by_admin.pk]), {
        "amount": "9999.00", "paid_on": day, "method": "transfer"})
    assert page.status_code == 400
    assert str(refused.value).split(":")[0] in page.content.decode().replace("&#x27;", "'")


def test_ledger_json_says_what_the_admin_page_shows(
        text_pdfs, accepted, client, capsys, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    day = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "pay", engagement.number, "--amount", "4320.00",
                     "--method", "transfer", "--date", day, "--reference", "VIR 9")
    capsys.readouterr()
    call_command("termskit", "ledger", engagement.number, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    client.force_login(engagement.owner)
    with translation.override("en"):
        html = client.get(reverse("terms_kit_engagement_ledger", args=[engagement.pk]),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def money(text):
        return "€" + formats.number_format(D(text), 2, force_grouping=True)

    with translation.override("en"):
        for instalment in data["instalments"]:
            assert money(instalment["amount"]) in html, instalment
        for invoice in data["invoices"]:
            assert invoice["number"] in html
        for payment in data["payments"]:
            assert money(payment["amount"]) in html and payment["reference"] in html
        assert money(data["left_to_pay"]) in html
    assert data["may_start"]["ok"] is True and "Work may start." in html
    stored = Invoice.objects.get(engagement=engagement)
    assert data["invoices"][0]["pdf_sha256"] == stored.document.pdf_sha256
