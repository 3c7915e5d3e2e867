"""Issue 11's ladder rules not covered elsewhere: the client's ladder between the expert's and
the engagement's, one step a day when the run catches up, a credited invoice gets no step,
the English reminder with the invoice attached, and `termskit dunning queue` on django-tasks."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command

from terms_kit.dunning.run import run
from terms_kit.models import DunningAction, DunningLadder, SentMessage
from terms_kit.services import invoicing
from tests.integration.dunning_helpers import day, unpaid_milestone_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def s2(text_pdfs, accepted, django_capture_on_commit_callbacks):
    return unpaid_milestone_invoice(accepted, django_capture_on_commit_callbacks)


@pytest.fixture
def go(django_capture_on_commit_callbacks):
    def go(on, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return run(on=on, **kwargs)
    return go


@pytest.mark.parametrize("levels, first_day", [
    ({"owner": 3, "client": 5}, 5),  # the client's ladder wins over the expert's
    ({"owner": 3, "client": 4, "engagement": 6}, 6),  # the engagement's wins over both
])
def test_the_most_specific_ladder_applies(s2, go, levels, first_day):
    engagement, invoice = s2
    where = {"owner": {}, "client": {"client": engagement.client},
             "engagement": {"engagement": engagement}}
    for level, days in levels.items():
        DunningLadder.objects.create(owner=engagement.owner, reminder_1_days=days,
                                     **where[level])
    for offset in range(1, first_day):
        assert go(day(invoice, offset)).decisions == [], offset
    assert [d.step for d in go(day(invoice, first_day)).decisions] == ["reminder_1"]


def test_a_late_first_run_takes_one_step_a_day_and_keeps_the_gap(s2, go):
    """The run did not run until J+31 (reminder 1, reminder 2 and the notice all fell due):
    one step that day, none the next day, the second reminder 15 - 7 = 8 days after the
    first was sent (J+39)."""
    _engagement, invoice = s2
    assert [d.step for d in go(day(invoice, 31)).decisions] == ["reminder_1"]
    assert go(day(invoice, 31)).decisions == []
    for offset in range(32, 39):
        assert go(day(invoice, offset)).decisions == [], offset
    assert [d.step for d in go(day(invoice, 39)).decisions] == ["reminder_2"]
    days = list(DunningAction.objects.filter(invoice=invoice).values_list("decided_on",
                                                                          flat=True))
    assert len(days) == len(set(days)) == 2


def test_a_credited_invoice_gets_no_step(s2, go, django_capture_on_commit_callbacks):
    engagement, invoice = s2
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.issue_credit_note(engagement, invoice, D("480.00"), "Report withdrawn",
                                    day(invoice, 2))
    mail.outbox.clear()
    for offset in (7, 15, 30):
        assert go(day(invoice, offset)).decisions == [], offset
    assert not DunningAction.objects.exists() and mail.outbox == []


def test_english_client_gets_the_english_reminder_with_the_invoice_attached(s2, go):
    engagement, invoice = s2
    engagement.client.language = "en"
    engagement.client.save()
    mail.outbox.clear()
    go(day(invoice, 7))
    [sent] = mail.outbox
    assert sent.subject.startswith("Reminder: invoice") and invoice.number in sent.subject
    assert "Relance" not in sent.subject and "7 days" in sent.body
    name, content, mimetype = sent.attachments[0]
    assert (name, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    with invoice.document.pdf.open("rb") as handle:
        assert content == handle.read()
    assert SentMessage.objects.get(kind="reminder_1").language == "en"


def test_dunning_queue_runs_the_day_on_django_tasks(s2, capsys,
                                                    django_capture_on_commit_callbacks):
    _engagement, invoice = s2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "dunning", "queue", "--on", day(invoice, 7).isoformat())
    assert "queued" in capsys.readouterr().out
    assert list(DunningAction.objects.values_list("step", "state")) == [("reminder_1", "done")]
