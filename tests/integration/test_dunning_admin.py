"""Dunning in the admin, over HTTP, as its owner and as another expert (bob): the invoice's
dunning page, pause/resume, the approval queue, ladders, reminder texts, the homepage panel.
Bob gets 404s and never sees or changes anything of the owner's."""

import pytest
from django.core import mail
from django.urls import reverse
from dunning_helpers import day, unpaid_milestone_invoice

from terms_kit.dunning.run import run
from terms_kit.models import (
    DunningAction,
    DunningLadder,
    DunningPause,
    PauseEnd,
    ReminderTemplate,
    SentMessage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(text_pdfs, accepted, django_capture_on_commit_callbacks, expert):
    """The expert's S2 invoice at J+7 with a first reminder waiting for approval."""
    DunningLadder.objects.create(owner=expert, reminder_1_mode="approval")
    engagement, invoice = unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run(on=day(invoice, 7))
    step = DunningAction.objects.get(invoice=invoice)
    assert step.state == "awaiting_approval"
    return engagement, invoice, step


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


def test_another_expert_sees_and_changes_nothing(waiting, bob, client):
    engagement, invoice, step = waiting
    ladder = DunningLadder.objects.get(owner=engagement.owner)
    client.force_login(bob)
    assert client.get(reverse("terms_kit_invoice_dunning", args=[invoice.pk])).status_code == 404
    posts = [
        (reverse("terms_kit_invoice_dunning_pause", args=[invoice.pk]),
         {"reason": "x", "until": day(invoice, 60).isoformat(), "source": "manual"}),
        (reverse("terms_kit_invoice_dunning_resume", args=[invoice.pk]), {}),
        (reverse("terms_kit_client_dunning_pause", args=[engagement.client.pk]),
         {"reason": "x", "until": day(invoice, 60).isoformat(), "source": "manual"}),
        (reverse("terms_kit_dunning_approve", args=[step.pk]), {}),
        (reverse("terms_kit_dunning_skip", args=[step.pk]), {"reason": "no"}),
        (reverse("terms_kit_dunningladder:edit", args=[ladder.pk]), {"reminder_1_days": 1}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("terms_kit_dunningladder:edit", args=[ladder.pk])).status_code == 404
    # His queue, his ladders and his homepage panel do not show the owner's invoice.
    for url in (reverse("terms_kit_dunning_queue"), reverse("terms_kit_dunningladder:index"),
                "/admin/"):
        page = client.get(url)
        assert page.status_code == 200 and invoice.number not in page.content.decode(), url
    step.refresh_from_db()
    assert step.state == "awaiting_approval" and DunningPause.objects.count() == 0
    ladder.refresh_from_db()
    assert ladder.reminder_1_days == 7
    # The same addresses answer their owner (so the 404s above are the isolation).
    client.force_login(engagement.owner)
    assert client.get(reverse("terms_kit_invoice_dunning", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("terms_kit_dunningladder:edit", args=[ladder.pk])).status_code == 200


def test_owner_sees_the_panel_the_queue_and_approves(waiting, expert, client,
                                                     django_capture_on_commit_callbacks):
    engagement, invoice, step = waiting
    client.force_login(expert)
    home = client.get("/admin/").content.decode()
    assert 'id="terms-kit-dunning-panel"' in home and invoice.number in home
    queue = client.get(reverse("terms_kit_dunning_queue")).content.decode()
    assert invoice.number in queue and "Approve" in queue
    page = client.get(reverse("terms_kit_invoice_dunning", args=[invoice.pk]))
    assert page.status_code == 200 and "480" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("terms_kit_dunning_approve", args=[step.pk]))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == "done" and len(mail.outbox) == 1
    assert SentMessage.objects.get(kind="reminder_1") == step.sent_message
    history = client.get(reverse("terms_kit_invoice_dunning", args=[invoice.pk])).content.decode()
    assert step.sent_message.message_id.strip("<>") in history
    # Approving twice is refused with a message; nothing more is sent.
    client.post(reverse("terms_kit_dunning_approve", args=[step.pk]))
    assert len(mail.outbox) == 1


def test_skip_needs_a_reason(waiting, expert, client):
    _engagement, _invoice, step = waiting
    client.force_login(expert)
    client.post(reverse("terms_kit_dunning_skip", args=[step.pk]), {"reason": ""})
    step.refresh_from_db()
    assert step.state == "awaiting_approval"
    client.post(reverse("terms_kit_dunning_skip", args=[step.pk]), {"reason": "Called him"})
    step.refresh_from_db()
    assert step.state == "skipped"
    assert step.events.get(kind="skipped").note == "Called him"


@pytest.mark.parametrize("data, words", [
    ({"reason": "", "until": "2099-01-01", "source": "dispute"}, "reason"),
    ({"reason": "Disputed", "until": "", "source": "dispute"}, "end"),
    ({"reason": "Disputed", "until": "2001-01-01", "source": "dispute"}, "past"),
])
def test_bad_pause_from_the_admin_is_refused_and_nothing_stored(waiting, expert, client,
                                                                data, words):
    _engagement, invoice, _step = waiting
    client.force_login(expert)
    url = reverse("terms_kit_invoice_dunning_pause", args=[invoice.pk])
    response = client.post(url, data, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert words in text
    assert DunningPause.objects.count() == 0


def test_pause_and_resume_from_the_admin(waiting, expert, client):
    _engagement, invoice, _step = waiting
    client.force_login(expert)
    client.post(reverse("terms_kit_invoice_dunning_pause", args=[invoice.pk]),
                {"reason": "Disputes the report", "until": "2099-01-01", "source": "dispute"})
    pause = DunningPause.objects.get()
    assert (pause.invoice, pause.source, pause.created_by) == (invoice, "dispute", expert)
    client.post(reverse("terms_kit_invoice_dunning_resume", args=[invoice.pk]), {"note": "ok"})
    assert PauseEnd.objects.get().pause == pause


def test_ladder_in_the_wrong_order_and_unsafe_reminder_text_are_refused(expert, client):
    client.force_login(expert)
    response = client.post(reverse("terms_kit_dunningladder:add"), {
        "enabled": "on", "courtesy_days_before": 3, "courtesy_mode": "automatic",
        "reminder_1_days": 20, "reminder_1_mode": "automatic", "reminder_2_days": 15,
        "reminder_2_mode": "automatic", "formal_notice_days": 30,
        "formal_notice_mode": "approval", "recourse_days": 45, "recourse_mode": "approval"})
    assert response.status_code == 200 and "one after the other" in response.content.decode()
    assert DunningLadder.objects.count() == 0
    response = client.post(reverse("terms_kit_remindertemplate:add"), {
        "step": "reminder_1", "language": "fr", "subject": "Relance {{ invoice_number }}",
        "body": "{{ client.__class__ }}"})
    assert response.status_code == 200 and "cannot be used" in response.content.decode()
    assert ReminderTemplate.objects.count() == 0
    response = client.post(reverse("terms_kit_remindertemplate:add"), {
        "step": "reminder_1", "language": "fr", "subject": "Relance {{ invoice_number }}",
        "body": "Bonjour {{ client }}, {{ amount_due }} restent dus."})
    assert response.status_code == 302
    assert ReminderTemplate.objects.get().owner == expert


def test_the_experts_own_reminder_text_is_used(text_pdfs, accepted, expert,
                                               django_capture_on_commit_callbacks):
    ReminderTemplate.objects.create(owner=expert, step="reminder_1", language="fr",
                                    subject="Petit rappel {{ invoice_number }}",
                                    body="Cher {{ client }}, reste {{ amount_due }}. <b>&</b>")
    _engagement, invoice = unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(on=day(invoice, 7))
    [message] = mail.outbox
    assert message.subject == f"Petit rappel {invoice.number}"
    assert "reste 480,00\u00a0€. <b>&</b>" in message.body  # plain text: nothing escaped
