"""Payments from acceptance to "paid", scenario by scenario, through the real services.

Documents here are made by tests/text_pdf.py (money, not layout, is under test); the
invoice PDF/A tests with LibreOffice are in test_payments_documents.py.
"""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from payments_helpers import number, pdf_text

from terms_kit.exceptions import PaymentRefused
from terms_kit.models import (
    Allocation,
    Instalment,
    Invoice,
    Payment,
    Refund,
    StatusChange,
    WorkStartNotice,
)
from terms_kit.services import payments

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def num(prefix, sequence, on=None):
    """The number of an invoice issued ``on`` (today by default, as these tests issue them)."""
    return number(prefix, sequence, on or TODAY())


def pay(engagement, amount, **extra):
    extra.setdefault("paid_on", TODAY())
    extra.setdefault("method", "transfer")
    return payments.record_payment(engagement, amount=amount, **extra)


def schedule(engagement):
    return [(i.kind, i.amount, i.state) for i in engagement.instalments.order_by("position")]


def statuses(engagement):
    return [c.to_status for c in StatusChange.objects.filter(engagement=engagement)]


def test_s2_schedule_invoices_and_status_follow_the_worked_figures(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    # SCENARIOS.md: deposit 4 320.00, milestones 4 800 / 7 200 / 2 400 TTC, the deposit
    # deducted first, so 10 080.00 is left after it.
    assert schedule(engagement) == [
        ("deposit", D("4320.00"), "due"), ("milestone", D("480.00"), "scheduled"),
        ("milestone", D("7200.00"), "scheduled"), ("milestone", D("2400.00"), "scheduled")]
    assert sum(i.amount for i in engagement.instalments.filter(kind="milestone")) == D("10080.00")
    assert engagement.status == "deposit_due"
    assert not payments.may_start(engagement)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(engagement, "4320.00", reference="VIR ACME 1")
    engagement.refresh_from_db()
    assert engagement.status == "in_progress"
    [deposit_invoice] = payment.invoices.all()
    assert (deposit_invoice.number, deposit_invoice.kind) == (num("F", 1), "deposit")
    assert (deposit_invoice.excl_vat, deposit_invoice.vat, deposit_invoice.incl_vat) == (
        D("3600.00"), D("720.00"), D("4320.00"))
    text = pdf_text(deposit_invoice)
    assert "Facture d'acompte" in text and num("F", 1) in text
    assert "Total TTC : 4 320,00 €" in text and "Facture acquittée" in text
    assert payments.may_start(engagement)
    # Client: receipt confirmation and the invoice, in French; expert: work may start, once.
    subjects = [m.subject for m in mail.outbox]
    assert any(f"Facture d'acompte {num('F', 1)}" in s for s in subjects)
    assert any("Paiement reçu" in s for s in subjects)
    assert any(s.startswith("Work may start") or s.startswith("Le travail peut commencer")
               for s in subjects)
    assert WorkStartNotice.objects.filter(engagement=engagement).count() == 1

    gross = []
    for milestone in engagement.milestones.all():
        with django_capture_on_commit_callbacks(execute=True):  # documents made, e-mailed
            invoice = payments.mark_milestone_done(engagement, milestone)
        engagement.refresh_from_db()
        assert engagement.status == "balance_due"
        gross.append(invoice.incl_vat)
        instalment = engagement.instalments.get(milestone=milestone)
        assert instalment.amount == invoice.net and instalment.state == "due"
        assert instalment.due_date == TODAY() + datetime.timedelta(days=30)
        pay(engagement, instalment.amount)
        engagement.refresh_from_db()
    assert gross == [D("4800.00"), D("7200.00"), D("14400.00")]
    assert engagement.status == "paid"

    invoices = list(Invoice.objects.filter(engagement=engagement).order_by("sequence"))
    assert [i.number for i in invoices] == [num("F", n) for n in range(1, 5)]
    assert [i.kind for i in invoices] == ["deposit", "milestone", "milestone", "final"]
    first_milestone, final = invoices[1], invoices[3]
    assert first_milestone.snapshot["deductions"][0]["reference"] == num("F", 1)
    assert (first_milestone.deducted, first_milestone.net) == (D("4320.00"), D("480.00"))
    # The final invoice deducts each earlier invoice by its number.
    assert [d["reference"] for d in final.snapshot["deductions"]] == [
        num("F", 1), num("F", 2), num("F", 3)]
    assert (final.incl_vat, final.deducted, final.net) == (D("14400.00"), D("12000.00"),
                                                           D("2400.00"))
    final_text = pdf_text(final)
    assert f"Acompte déjà versé ({num('F', 1)}" in final_text
    assert "Net à payer : 2 400,00 €" in final_text
    assert sum(i.net for i in invoices) == D("14400.00")
    assert sum(p.amount for p in engagement.payments.all()) == D("14400.00")
    assert statuses(engagement) == [
        "sent", "accepted", "deposit_due", "in_progress", "balance_due", "in_progress",
        "balance_due", "in_progress", "balance_due", "paid"]
    for invoice in invoices:  # no placeholder ever reaches an issued invoice
        text = pdf_text(invoice)
        assert "[" not in text and "attribué" not in text and "given on issue" not in text


def test_overpayment_is_refused_with_the_amount_due_and_nothing_is_stored(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    with pytest.raises(PaymentRefused) as refused:
        pay(engagement, "5000.00")
    assert refused.value.field == "amount"
    assert "more than what is due now" in str(refused.value) and "4,320.00" in str(refused.value)
    assert not Payment.objects.exists() and not Invoice.objects.exists()
    assert not Allocation.objects.exists()
    engagement.refresh_from_db()
    assert engagement.status == "deposit_due"


@pytest.mark.parametrize("amount, message", [
    ("0", "above 0"), ("-10", "above 0"), ("12.345", "two decimals"), ("abc", "not a number"),
    ("NaN", "not a number")])
def test_bad_amounts_are_refused(text_pdfs, accepted, amount, message):
    engagement, _link = accepted("S2")
    with pytest.raises(PaymentRefused, match=message):
        pay(engagement, amount)
    assert not Payment.objects.exists()


def test_no_payment_before_acceptance(text_pdfs, sent):
    engagement, _link = sent("S2")
    with pytest.raises(PaymentRefused, match="accepted the quote"):
        pay(engagement, "100.00")
    assert not Payment.objects.exists() and not Instalment.objects.exists()


def test_partial_payments_each_get_a_deposit_invoice_and_add_up(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    pay(engagement, "2000.00")
    deposit = engagement.instalments.get(kind="deposit")
    assert (deposit.state, deposit.paid_amount) == ("partly_paid", D("2000.00"))
    engagement.refresh_from_db()
    assert engagement.status == "deposit_due"
    pay(engagement, "2320.00")
    deposit.refresh_from_db()
    engagement.refresh_from_db()
    assert deposit.state == "paid" and engagement.status == "in_progress"
    invoices = list(Invoice.objects.filter(kind="deposit").order_by("sequence"))
    assert [i.net for i in invoices] == [D("2000.00"), D("2320.00")]
    # The first milestone deducts both deposit invoices, first-fit, by number.
    milestone = payments.mark_milestone_done(engagement, engagement.milestones.first())
    assert [(d["reference"], d["amount"]) for d in milestone.snapshot["deductions"]] == [
        (invoices[0].number, "2000.00"), (invoices[1].number, "2320.00")]
    assert milestone.net == D("480.00")


def test_same_provider_payment_twice_is_recorded_once(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    first = pay(engagement, "4320.00", method="card_online", provider="stripe",
                provider_payment_id="pi_123")
    again = pay(engagement, "4320.00", method="card_online", provider="stripe",
                provider_payment_id="pi_123")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1 and Invoice.objects.count() == 1
    assert statuses(engagement).count("in_progress") == 1


def test_refund_gives_a_credit_note_in_its_own_series_once(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    payment = pay(engagement, "4320.00", method="card_online", provider="stripe",
                  provider_payment_id="pi_9")
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_payment(payment, amount="1000.00", reason="Gesture",
                                         provider_refund_id="re_1")
    again = payments.refund_payment(payment, amount="1000.00", reason="Gesture",
                                    provider_refund_id="re_1")
    assert again.pk == refund.pk and Refund.objects.count() == 1
    note = refund.credit_note
    assert (note.number, note.kind, note.net) == (num("AV", 1), "credit_note", D("1000.00"))
    assert note.corrects.number == num("F", 1)
    text = pdf_text(note)
    assert "Avoir" in text and num("F", 1) in text and "Gesture" in text
    with pytest.raises(PaymentRefused, match="At most"):
        payments.refund_payment(payment, amount="3500.00", reason="too much")
    # The next invoice continues the invoice series, untouched by the credit note.
    milestone = payments.mark_milestone_done(engagement, engagement.milestones.first())
    assert milestone.number == num("F", 2)


def test_s1_preauthorisation_secured_then_captured(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S1")
    assert schedule(engagement) == [("preauthorisation", D("60.00"), "due")]
    assert engagement.status == "deposit_due"
    start = payments.may_start(engagement)
    assert not start and "pre-authorisation" in " ".join(start.reasons)
    [instalment] = engagement.instalments.all()
    payments.secure_instalment(instalment, reference="terminal hold 42")
    engagement.refresh_from_db()
    assert engagement.status == "in_progress" and payments.may_start(engagement)
    with django_capture_on_commit_callbacks(execute=True):
        pay(engagement, "60.00", method="card_terminal", reference="capture 42")
    engagement.refresh_from_db()
    assert engagement.status == "paid"
    [invoice] = Invoice.objects.filter(engagement=engagement)
    assert invoice.kind == "final" and invoice.net == D("60.00") and invoice.vat == D("0.00")
    text = pdf_text(invoice)
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "40,00" not in text and "TVA à" not in text


def test_s3_credit_pack_sessions_and_unused_credit_refunded(text_pdfs, accepted):
    engagement, _link = accepted("S3")
    assert schedule(engagement) == [("credit_pack", D("900.00"), "due")]
    with pytest.raises(PaymentRefused, match="not paid yet"):
        payments.record_credit_use(engagement, quantity="1")
    pay(engagement, "900.00", method="card_terminal")
    engagement.refresh_from_db()
    assert engagement.status == "paid"
    payments.record_credit_use(engagement, quantity="1.5", note="session 1")
    payments.record_credit_use(engagement, quantity="2.5", note="session 2")
    summary = payments.credit_summary(engagement)
    assert (summary["used"], summary["left"], summary["left_value"]) == (
        D("4.0"), D("6.0"), D("540.00"))
    with pytest.raises(PaymentRefused, match="Only 6"):
        payments.record_credit_use(engagement, quantity="7")
    refund = payments.refund_unused_credit(engagement, reason="Pack cancelled: 6 h unused")
    assert refund.amount == D("540.00") and refund.credit_note.net == D("540.00")
    engagement.refresh_from_db()
    assert engagement.status == "refunded"


def test_s4_each_act_is_invoiced_and_paid_before_the_next(text_pdfs, accepted):
    engagement, _link = accepted("S4")
    assert schedule(engagement) == [] and engagement.status == "in_progress"
    act = payments.record_act(engagement, note="question 1")
    engagement.refresh_from_db()
    assert act.amount == D("25.00") and engagement.status == "balance_due"
    [invoice] = act.invoices.all()
    assert invoice.kind == "act" and invoice.net == D("25.00") and invoice.deducted == 0
    with pytest.raises(PaymentRefused, match="not paid yet"):
        payments.record_act(engagement, note="question 2")
    pay(engagement, "25.00", method="card_online")
    payments.record_act(engagement, note="question 2")
    pay(engagement, "25.00", method="card_online")
    engagement.refresh_from_db()
    assert engagement.status == "in_progress"
    payments.mark_completed(engagement)
    engagement.refresh_from_db()
    assert engagement.status == "paid"
    assert payments.credit_summary(engagement)["used"] == D("2")


def test_s5_deposit_then_final_invoice_on_completion(text_pdfs, accepted):
    engagement, _link = accepted("S5")
    assert schedule(engagement) == [("deposit", D("900.00"), "due"),
                                    ("balance", D("900.00"), "scheduled")]
    pay(engagement, "900.00", method="cheque", reference="chq 1")
    [final] = payments.mark_completed(engagement)
    assert (final.kind, final.incl_vat, final.deducted, final.net) == (
        "final", D("1800.00"), D("900.00"), D("900.00"))
    assert final.due_date == TODAY() + datetime.timedelta(days=15)
    engagement.refresh_from_db()
    assert engagement.status == "balance_due"
    pay(engagement, "900.00", method="transfer")
    engagement.refresh_from_db()
    assert engagement.status == "paid"


def test_s6_nothing_due_in_the_waiting_period_then_at_most_30_percent(text_pdfs, accepted):
    engagement, _link = accepted("S6")
    start = timezone.localdate()
    assert schedule(engagement) == [("milestone", D("360.00"), "scheduled"),
                                    ("milestone", D("420.00"), "scheduled"),
                                    ("milestone", D("420.00"), "scheduled")]
    first = engagement.instalments.get(position=1)
    assert first.due_date == start + datetime.timedelta(days=11)
    assert engagement.status == "accepted"
    assert "withdrawal period runs until" in " ".join(payments.may_start(engagement).reasons)
    with pytest.raises(PaymentRefused, match="withdrawal period ends"):
        pay(engagement, "360.00", paid_on=start + datetime.timedelta(days=5))
    assert payments.payments_sweep(start + datetime.timedelta(days=10))["fell_due"] == 0
    day11 = start + datetime.timedelta(days=11)
    assert payments.payments_sweep(day11)["fell_due"] == 1
    engagement.refresh_from_db()
    first.refresh_from_db()
    assert first.state == "due" and engagement.status == "deposit_due"
    assert payments.may_start(engagement, on=day11)
    [invoice] = first.invoices.all()
    assert invoice.net == D("360.00") and invoice.net <= D("1200.00") * D("0.3")
    pay(engagement, "360.00", paid_on=day11)
    for milestone in list(engagement.milestones.all())[1:]:
        payments.mark_milestone_done(engagement, milestone, on=day11)
        pay(engagement, "420.00", paid_on=day11)
    engagement.refresh_from_db()
    assert engagement.status == "paid"
    assert sum(i.net for i in Invoice.objects.filter(engagement=engagement)) == D("1200.00")


def test_sweep_marks_overdue_once_and_a_payment_clears_it(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    tomorrow = TODAY() + datetime.timedelta(days=1)
    assert payments.payments_sweep(tomorrow) == {"fell_due": 0, "overdue": 1, "engagements": 1}
    assert payments.payments_sweep(tomorrow) == {"fell_due": 0, "overdue": 0, "engagements": 0}
    engagement.refresh_from_db()
    assert engagement.status == "overdue"
    assert statuses(engagement).count("overdue") == 1
    assert engagement.instalments.get(kind="deposit").state == "overdue"
    pay(engagement, "4320.00", paid_on=tomorrow)
    engagement.refresh_from_db()
    assert engagement.status == "in_progress"


def test_milestones_are_invoiced_in_order_and_after_the_deposit(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    first, second, _third = engagement.milestones.all()
    with pytest.raises(PaymentRefused, match="deposit is not paid"):
        payments.mark_milestone_done(engagement, first)
    pay(engagement, "4320.00")
    with pytest.raises(PaymentRefused, match="Mark “Diagnostic” done first"):
        payments.mark_milestone_done(engagement, second)
    payments.mark_milestone_done(engagement, first)
    with pytest.raises(PaymentRefused, match="already marked done"):
        payments.mark_milestone_done(engagement, first)
    assert Invoice.objects.count() == 2


def test_create_schedule_is_idempotent(text_pdfs, accepted):
    engagement, _link = accepted("S2")
    before = list(engagement.instalments.values_list("pk", flat=True))
    again = payments.create_schedule(engagement)
    assert [i.pk for i in again] == before and Instalment.objects.count() == 4


def test_cli_pay_and_ledger(text_pdfs, accepted, capsys, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S2")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "pay", engagement.number, "--amount", "4320.00",
                     "--method", "transfer", "--date", TODAY().isoformat(),
                     "--reference", "VIR 1")
    assert num("F", 1) in capsys.readouterr().out
    with pytest.raises(CommandError, match="Nothing is due on this engagement now"):
        call_command("termskit", "pay", engagement.number, "--amount", "1.00",
                     "--method", "transfer", "--date", TODAY().isoformat())
    call_command("termskit", "ledger", engagement.number, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["engagement"]["status"] == "in_progress"
    assert [i["amount"] for i in data["instalments"]] == ["4320.00", "480.00", "7200.00",
                                                          "2400.00"]
    [invoice] = data["invoices"]
    stored = Invoice.objects.get()
    assert invoice["number"] == num("F", 1)
    assert invoice["pdf_sha256"] == stored.document.pdf_sha256
    assert data["payments"][0]["reference"] == "VIR 1"
    assert data["left_to_pay"] == "10080.00" and data["may_start"]["ok"] is True
    call_command("termskit", "ledger", engagement.number)
    assert "Work may start: yes" in capsys.readouterr().out
    call_command("termskit", "payments", "sweep")
    assert "went overdue" in capsys.readouterr().out


def test_issued_invoices_are_insert_only(text_pdfs, accepted):
    from terms_kit.exceptions import ImmutableRecord

    engagement, _link = accepted("S2")
    payment = pay(engagement, "4320.00")
    invoice = payment.invoices.get()
    invoice.net = D("1.00")
    with pytest.raises(ImmutableRecord):
        invoice.save()
    with pytest.raises(ImmutableRecord):
        payment.delete()


def test_receipt_on_request_is_numbered_in_its_own_series_once(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    engagement, _link = accepted("S5")
    payment = pay(engagement, "900.00", method="cash")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = payments.issue_payment_receipt(payment)
    assert payments.issue_payment_receipt(payment).pk == receipt.pk
    assert receipt.number == num("R", 1) and receipt.kind == "receipt"
    text = pdf_text(receipt)
    assert "Reçu de paiement" in text and "900,00 €" in text and "espèces" in text


def test_a_withdrawal_cancels_what_is_not_paid(text_pdfs, accepted,
                                               django_capture_on_commit_callbacks):
    from terms_kit.services import acceptance

    engagement, sent_link = accepted("S1")
    with django_capture_on_commit_callbacks(execute=True):
        acceptance.withdraw(sent_link.link, ip_address="127.0.0.1", user_agent="pytest")
    engagement.refresh_from_db()
    assert engagement.status == "withdrawn"
    assert schedule(engagement) == [("preauthorisation", D("60.00"), "cancelled")]
    with pytest.raises(PaymentRefused, match="withdrawn|Withdrawn"):
        pay(engagement, "60.00", method="card_terminal")


def test_s1_capturing_less_than_the_hold_settles_it_and_invoices_what_was_captured(
        text_pdfs, accepted, django_capture_on_commit_callbacks):
    # S1: 60.00 TTC held on the card; the call was shorter, the expert captures 40.00.
    # fr-rules section 2 (fac.acompte, CGI 289 I-1-c): an invoice follows money received;
    # a hold is no money, so nothing was invoiced at the hold and the capture is invoiced
    # for 40.00, the 20.00 left of the hold being released (no credit note needed).
    engagement, _link = accepted("S1")
    [instalment] = engagement.instalments.all()
    payments.secure_instalment(instalment, reference="terminal hold 7")
    assert not Invoice.objects.filter(engagement=engagement).exists()
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(engagement, "40.00", method="card_terminal", reference="capture 7")
    instalment.refresh_from_db()
    engagement.refresh_from_db()
    assert (instalment.state, instalment.amount, instalment.paid_amount) == (
        "paid", D("40.00"), D("40.00"))
    assert instalment.left_to_pay == D("0.00")
    assert engagement.status == "paid"
    [invoice] = Invoice.objects.filter(engagement=engagement)
    assert (invoice.kind, invoice.payment_id) == ("final", payment.pk)
    assert (invoice.excl_vat, invoice.vat, invoice.incl_vat, invoice.net) == (
        D("40.00"), D("0.00"), D("40.00"), D("40.00"))  # VAT franchise: no VAT
    assert invoice.snapshot["reduction"] == {"accepted_total": "60.00", "billed": "40.00",
                                             "reduction": "20.00"}
    assert not Invoice.objects.filter(kind="credit_note").exists()
    text = pdf_text(invoice)  # the service's 60.00, the reduction, what is asked: 40.00
    assert "pré-autorisation de la carte) : - 20,00 €" in text
    assert "Net à payer : 40,00 €" in text
    # Nothing more can be paid on it: the rest of the hold is not owed.
    with pytest.raises(PaymentRefused, match="until it is settled"):
        pay(engagement, "20.00", method="card_terminal")


def test_a_partial_payment_on_a_pre_authorisation_without_hold_stays_partly_paid(
        text_pdfs, accepted):
    # Without a card hold, money on the instalment is an ordinary partial payment.
    engagement, _link = accepted("S1")
    pay(engagement, "40.00", method="card_terminal")
    [instalment] = engagement.instalments.all()
    assert (instalment.state, instalment.amount, instalment.left_to_pay) == (
        "partly_paid", D("60.00"), D("20.00"))


def _s2_second_milestone_invoiced(accepted, on):
    engagement, _link = accepted("S2")
    pay(engagement, "4320.00")
    first, second = list(engagement.milestones.all())[:2]
    payments.mark_milestone_done(engagement, first, on=on)
    pay(engagement, "480.00")
    invoice = payments.mark_milestone_done(engagement, second, on=on)
    return engagement, invoice


def test_s2_early_payment_discount_settles_the_invoice_with_a_credit_note(text_pdfs, accepted):
    # SCENARIOS.md S2: 2 % discount if paid within 10 days; the 7 200.00 TTC milestone
    # invoice paid 7 056.00 within the period is settled. The discount, 7 200.00 x 2 %
    # = 144.00 TTC, lowers the VAT base: at 20 %, 120.00 excl. VAT + 24.00 VAT.
    on = TODAY()
    engagement, invoice = _s2_second_milestone_invoiced(accepted, on)
    assert (invoice.net, invoice.due_date) == (D("7200.00"), on + datetime.timedelta(days=30))
    payment = pay(engagement, "7056.00", paid_on=on + datetime.timedelta(days=10))
    instalment = engagement.instalments.get(milestone=invoice.instalment.milestone)
    assert (instalment.state, instalment.paid_amount, instalment.left_to_pay) == (
        "paid", D("7056.00"), D("0.00"))
    [note] = Invoice.objects.filter(kind="credit_note")
    assert note.number == num("AV", 1, note.issue_date) and note.corrects_id == invoice.pk
    assert (note.excl_vat, note.vat, note.incl_vat, note.net) == (
        D("120.00"), D("24.00"), D("144.00"), D("144.00"))
    assert note.snapshot["rows"] == [{"rate": "20.00", "base": "120.00", "vat": "24.00"}]
    assert note.issue_date == payment.paid_on
    engagement.refresh_from_db()
    assert engagement.status == "in_progress"  # the third milestone is still to come
    # The final invoice asks for the last milestone's 2 400.00, not for the discount back.
    final = payments.mark_milestone_done(engagement, list(engagement.milestones.all())[2],
                                         on=on)
    assert (final.kind, final.net) == ("final", D("2400.00"))
    pay(engagement, "2400.00")
    engagement.refresh_from_db()
    assert engagement.status == "paid"
    received = sum(p.amount for p in engagement.payments.all())
    assert received + note.net == D("14400.00")


def test_s2_paid_less_after_the_discount_period_is_partly_paid(text_pdfs, accepted):
    on = TODAY()
    engagement, invoice = _s2_second_milestone_invoiced(accepted, on)
    pay(engagement, "7056.00", paid_on=on + datetime.timedelta(days=11))
    instalment = engagement.instalments.get(milestone=invoice.instalment.milestone)
    assert (instalment.state, instalment.left_to_pay) == ("partly_paid", D("144.00"))
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_s2_paid_more_than_the_discount_short_is_partly_paid(text_pdfs, accepted):
    # 7 000.00 within the period leaves 200.00, more than the 144.00 discount.
    on = TODAY()
    engagement, invoice = _s2_second_milestone_invoiced(accepted, on)
    pay(engagement, "7000.00", paid_on=on + datetime.timedelta(days=2))
    instalment = engagement.instalments.get(milestone=invoice.instalment.milestone)
    assert (instalment.state, instalment.left_to_pay) == ("partly_paid", D("200.00"))
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_small_business_off_premises_pays_nothing_before_day_7(text_pdfs, accepted):
    # C. conso L221-10 through C. conso L221-3: the payment service asks the checker's Regime,
    # so a business of 3 signing off premises outside its core activity is protected too.
    today = TODAY()

    def off_premises(spec):
        body = spec["engagement"]
        spec["client"].update(headcount=3, outside_core_activity=True)
        body.update(channel="off_premises", issue_date=today.isoformat(),
                    validity_date=(today + datetime.timedelta(days=30)).isoformat(),
                    start_date=(today + datetime.timedelta(days=10)).isoformat(),
                    end_date=(today + datetime.timedelta(days=12)).isoformat(),
                    early_start_requested=True)
        body["payment"].update(model="on_completion", deposit_percent=None, milestones=[],
                               deposit_label="")

    engagement, _link = accepted("S2", change=off_premises)
    first = today + datetime.timedelta(days=7)
    with pytest.raises(PaymentRefused, match="L221-10") as refused:
        pay(engagement, "100.00", paid_on=today + datetime.timedelta(days=3))
    assert refused.value.field == "paid_on"
    assert str(first) in str(refused.value)
    assert not Payment.objects.exists()


def test_a_payment_on_an_engagement_without_schedule_makes_it_and_moves_the_status(
        text_pdfs, make_engagement):
    # The schedule is made inside record_payment (under another instance of the locked
    # row): the status it set must be the one the payment's own change starts from.
    from terms_kit.services.status import change_status
    from terms_kit.status import Origin, Status

    engagement = make_engagement("S2")
    change_status(engagement, Status.SENT, origin=Origin.ACCEPTANCE)
    change_status(engagement, Status.ACCEPTED, origin=Origin.ACCEPTANCE)
    assert not engagement.instalments.exists()
    pay(engagement, payments.deposit_amount(engagement))
    engagement.refresh_from_db()
    assert engagement.status == Status.IN_PROGRESS
    assert statuses(engagement) == [Status.SENT, Status.ACCEPTED, Status.DEPOSIT_DUE,
                                    Status.IN_PROGRESS]
