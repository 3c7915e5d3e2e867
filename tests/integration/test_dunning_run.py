"""The daily dunning run on real invoices: the S2 ladder, a consumer, pauses, a payment
during the ladder, running twice, the CLI, and a constant number of queries per batch."""

import json
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from dunning_helpers import day, unpaid_final_invoice_s5, unpaid_milestone_invoice

from terms_kit.dunning import actions, letters, pauses
from terms_kit.dunning.run import run
from terms_kit.models import DunningAction, DunningEvent, DunningLadder, SentMessage
from terms_kit.services import payments

pytestmark = pytest.mark.django_db


@pytest.fixture
def s2(text_pdfs, accepted, django_capture_on_commit_callbacks):
    return unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)


@pytest.fixture
def go(django_capture_on_commit_callbacks):
    """Run the day's pass and let its background work (ImmediateBackend) run after commit."""
    def go(on, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return run(on=on, **kwargs)
    return go


def fake_letters(monkeypatch):
    """Stand-in for letters.execute (the formal notice belongs to the dunning-notice branch):
    records that it was asked, makes nothing."""
    asked = []

    def fake_execute(action, **_kwargs):
        asked.append((action.step, action.invoice_id))
        return letters.LetterResult(note="fake letter")

    monkeypatch.setattr(letters, "execute", fake_execute)
    return asked


def steps(invoice):
    return [(a.step, a.state, a.decided_on) for a in
            DunningAction.objects.filter(invoice=invoice).order_by("decided_on")]


def test_s2_business_ladder_j7_j15_then_notice_and_recourse_prepared(
        s2, go, monkeypatch, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    assert invoice.net == D("480.00")  # 4 800.00 TTC less the 4 320.00 deposit (SCENARIOS S2)
    mail.outbox.clear()
    for offset in range(-5, 7):  # nothing before J+7 (no courtesy notice by default)
        assert run(on=day(invoice, offset)).decisions == []
    report = go(day(invoice, 7))
    assert [(d.step, d.mode) for d in report.decisions] == [("reminder_1", "automatic")]
    assert steps(invoice) == [("reminder_1", "done", day(invoice, 7))]
    [reminder] = mail.outbox
    assert reminder.to == [engagement.client.email]
    assert invoice.number in reminder.subject and "Relance" in reminder.subject  # French client
    assert "480,00\u00a0€" in reminder.body and "7 jours de retard" in reminder.body
    assert reminder.attachments[0][0] == f"{invoice.number}.pdf"
    record = SentMessage.objects.get(kind="reminder_1")
    assert record.engagement == engagement and record.attachments[0]["size"] > 0
    # Running again the same day does nothing; nor do the days up to J+15.
    for offset in range(7, 15):
        assert go(day(invoice, offset)).decisions == []
    assert len(mail.outbox) == 1
    go(day(invoice, 15))
    second = mail.outbox[-1]
    assert "Deuxième relance" in second.subject
    # A business owes the late penalties and the 40 € indemnity (C. com. L441-10, D441-5).
    assert "40,00\u00a0€" in second.body and "L441-10" in second.body
    # J+30: the formal notice is prepared and waits for the expert's approval (the default).
    asked = fake_letters(monkeypatch)
    assert go(day(invoice, 29)).decisions == []
    report = go(day(invoice, 30))
    assert [(d.step, d.mode) for d in report.decisions] == [("formal_notice", "approval")]
    assert asked == []  # nothing made before approval
    assert go(day(invoice, 44)).decisions == []  # the ladder waits for the notice
    notice = DunningAction.objects.get(invoice=invoice, step="formal_notice")
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(notice, user=engagement.owner, on=day(invoice, 32))
    assert asked == [("formal_notice", invoice.pk)]
    notice.refresh_from_db()
    assert (notice.state, notice.completed_on) == ("done", day(invoice, 32))
    # J+45 comes 15 days after J+30 in the ladder: the notice done at J+32 moves it to J+47.
    assert go(day(invoice, 45)).decisions == []
    report = go(day(invoice, 47))
    assert [(d.step, d.mode) for d in report.decisions] == [("recourse", "approval")]
    assert [s[0] for s in steps(invoice)] == ["reminder_1", "reminder_2", "formal_notice",
                                              "recourse"]
    kinds = [e.kind for e in DunningEvent.objects.filter(invoice=invoice)]
    assert kinds == ["prepared", "sent", "prepared", "sent", "awaiting_approval", "approved",
                     "sent", "awaiting_approval"]
    assert len(mail.outbox) == 2  # the letters are the dunning-notice branch's


def test_consumer_reminders_carry_no_fees(text_pdfs, accepted, go,
                                          django_capture_on_commit_callbacks):
    engagement, invoice = unpaid_final_invoice_s5(accepted, django_capture_on_commit_callbacks)
    assert engagement.client.is_consumer and invoice.net == D("900.00")
    mail.outbox.clear()
    go(day(invoice, 7))
    go(day(invoice, 15))
    first, second = mail.outbox
    assert "900,00\u00a0€" in first.body and "900,00\u00a0€" in second.body
    for message in (first, second):  # no 40 €, no penalties against a consumer (L111-8)
        assert "40,00" not in message.body and "pénalités" not in message.body


def test_pause_stops_the_ladder_and_resume_restarts_it(s2, go, expert):
    _engagement, invoice = s2
    pauses.pause(invoice, reason="Client contests the deliverable", source="dispute",
                 until=day(invoice, 20), user=expert, on=day(invoice, 3))
    report = go(day(invoice, 7))
    assert report.decisions == [] and report.paused == 1
    pauses.resume(invoice, user=expert, note="Settled the dispute", on=day(invoice, 9))
    report = go(day(invoice, 9))
    assert [d.step for d in report.decisions] == ["reminder_1"]
    assert steps(invoice) == [("reminder_1", "done", day(invoice, 9))]


def test_payment_during_the_ladder_stops_it(s2, go, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    go(day(invoice, 7))
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=D("480.00"), paid_on=day(invoice, 10),
                                method="transfer")
    for offset in (15, 30, 45, 60):
        assert go(day(invoice, offset)).decisions == []
    assert steps(invoice) == [("reminder_1", "done", day(invoice, 7))]


def test_a_step_waiting_for_approval_is_skipped_once_the_invoice_is_paid(
        s2, go, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    DunningLadder.objects.create(owner=engagement.owner, reminder_1_mode="approval")
    go(day(invoice, 7))
    assert steps(invoice) == [("reminder_1", "awaiting_approval", day(invoice, 7))]
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=D("480.00"), paid_on=day(invoice, 8),
                                method="transfer")
    report = go(day(invoice, 9))
    assert report.skipped_pending == 1
    assert steps(invoice) == [("reminder_1", "skipped", day(invoice, 7))]
    skipped = DunningEvent.objects.filter(invoice=invoice, kind="skipped").get()
    assert "paid" in skipped.note.lower() or "payé" in skipped.note.lower()
    assert not SentMessage.objects.filter(kind="reminder_1").exists()


def test_a_partial_payment_lowers_the_amount_asked(s2, go, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=D("200.00"), paid_on=day(invoice, 2),
                                method="transfer")
    mail.outbox.clear()
    go(day(invoice, 7))
    assert "280,00\u00a0€" in mail.outbox[0].body  # 480.00 - 200.00


def test_dry_run_stores_and_sends_nothing(s2, go):
    _engagement, invoice = s2
    mail.outbox.clear()
    report = go(day(invoice, 7), dry_run=True)
    assert [d.step for d in report.decisions] == ["reminder_1"]
    assert DunningAction.objects.count() == 0 and mail.outbox == []


def test_cli_json_and_bad_date(s2, capsys, django_capture_on_commit_callbacks):
    _engagement, invoice = s2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "dunning", "run", "--on", day(invoice, 7).isoformat(),
                     "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["steps"][0]["step"] == "reminder_1" and data["ready"] == 1
    assert data["steps"][0]["amount_due"] == "480.00"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("termskit", "dunning", "run", "--on", "31/12/2026")


def test_courtesy_notice_when_switched_on(s2, go):
    engagement, invoice = s2
    DunningLadder.objects.create(owner=engagement.owner, courtesy_enabled=True,
                                 courtesy_days_before=3)
    mail.outbox.clear()
    assert go(day(invoice, -4)).decisions == []
    assert [d.step for d in go(day(invoice, -3)).decisions] == ["courtesy"]
    assert go(day(invoice, 0)).decisions == []
    assert "échéance" in mail.outbox[0].subject
    assert [d.step for d in go(day(invoice, 7)).decisions] == ["reminder_1"]


def test_engagement_ladder_overrides_the_experts(s2, go):
    engagement, invoice = s2
    DunningLadder.objects.create(owner=engagement.owner, reminder_1_days=3)
    DunningLadder.objects.create(owner=engagement.owner, engagement=engagement,
                                 reminder_1_days=10, reminder_2_days=20)
    assert go(day(invoice, 3)).decisions == [] and go(day(invoice, 9)).decisions == []
    assert [d.step for d in go(day(invoice, 10)).decisions] == ["reminder_1"]


def test_constant_queries_per_batch(text_pdfs, accepted, django_capture_on_commit_callbacks,
                                    django_assert_max_num_queries):
    """Per batch: a savepoint, 1 locked read of the invoices, 2 for the amounts left, 1 for
    pauses, 1 for ladders, 1 for the bases of missed instalment plans, 1 for the steps taken,
    2 inserts, release = 11 queries whatever the number of invoices in it; plus 6 once (the
    empty last batch, the settled-pending check)."""
    made = [unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)
            for _ in range(4)]
    on = max(day(invoice, 7) for _e, invoice in made)
    with django_assert_max_num_queries(11 * 1 + 6):
        report = run(on=on, execute=False, batch_size=500)
    assert len(report.decisions) == 4 and report.batches == 1
    for action in DunningAction.objects.filter(state="ready"):  # the background work
        actions.execute(action.pk, on=on)
    later = max(day(invoice, 15) for _e, invoice in made)
    with django_assert_max_num_queries(11 * 2 + 6):
        report = run(on=later, execute=False, batch_size=2)
    assert len(report.decisions) == 4 and report.batches == 2


def test_client_page_shows_the_reminders_and_the_amount_overdue(s2, go):
    from django.test import Client
    from django.urls import reverse

    from terms_kit.dunning.presentation import client_dunning

    engagement, invoice = s2
    go(day(invoice, 7))
    page = Client().get(reverse("terms_kit:client_review", args=[invoice.sent_link.token]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="reminders"' in text and invoice.number in text
    shown = client_dunning(engagement, "fr", on=day(invoice, 9))
    # what is left; the interest to the day is tested on fixed dates in test_dunning_close
    [row] = shown["overdue"]
    assert (row["number"], row["left"], row["days"]) == (invoice.number, "480,00\u00a0€", 9)
    assert [r["step"] for r in shown["reminders"]] == ["First reminder"]


def test_fake_failing_mail_server_the_step_fails_then_is_sent_once_on_retry(
        s2, go, settings, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    settings.EMAIL_BACKEND = "tests.integration.test_mail_adapter.FakeFailingBackend"
    go(day(invoice, 7))
    step = DunningAction.objects.get(invoice=invoice)
    assert step.state == "failed"
    failed = DunningEvent.objects.get(invoice=invoice, kind="failed")
    assert "refused" in failed.note
    assert go(day(invoice, 15)).decisions == []  # the ladder waits for the failed step
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(step, user=engagement.owner, on=day(invoice, 16))
    step.refresh_from_db()
    assert step.state == "done" and len(mail.outbox) == 1
    assert SentMessage.objects.filter(kind="reminder_1", outcome="sent").count() == 1
