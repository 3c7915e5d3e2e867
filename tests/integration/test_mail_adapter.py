"""The one mail adapter: what it records, when it sends, idempotency, and every existing send
going through it; the engagement's history lists the messages, to its owner only."""

import hashlib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils.html import escape

from terms_kit.exceptions import ImmutableRecord
from terms_kit.models import SentMessage
from terms_kit.services.mail import send_recorded

pytestmark = pytest.mark.django_db


class FakeFailingBackend(BaseEmailBackend):
    """A mail server that refuses everything (the only fake here: a real one cannot fail on
    demand)."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("the fake SMTP server refused the connection")


def test_a_message_is_sent_after_commit_and_recorded_with_its_proof(
        expert, django_capture_on_commit_callbacks):
    pdf = b"%PDF-1.7 fake invoice bytes"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = send_recorded(
            owner=expert, to="client@example.org", subject="Relance", body="Bonjour,\nPayez.",
            language="fr", kind="reminder_1", attachments=[("F-1.pdf", pdf, "application/pdf")])
    # Inside a transaction nothing leaves before the commit, and nothing is recorded yet.
    assert result is None and mail.outbox == [] and SentMessage.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = mail.outbox
    record = SentMessage.objects.get()
    assert record.recipients == ["client@example.org"] and record.owner == expert
    assert record.outcome == "sent" and record.kind == "reminder_1" and record.language == "fr"
    assert record.body == "Bonjour,\nPayez."
    assert record.body_sha256 == hashlib.sha256("Bonjour,\nPayez.".encode()).hexdigest()
    assert record.attachments == [{"name": "F-1.pdf", "size": len(pdf),
                                   "sha256": hashlib.sha256(pdf).hexdigest(),
                                   "mimetype": "application/pdf"}]
    # The Message-ID recorded is the one the message carried.
    assert record.message_id and message.extra_headers["Message-ID"] == record.message_id
    assert message.attachments[0][0] == "F-1.pdf"
    with pytest.raises(ImmutableRecord):
        record.save()
    with pytest.raises(ImmutableRecord):
        record.delete()


def test_a_rolled_back_transaction_sends_nothing(expert, django_capture_on_commit_callbacks):
    from django.db import transaction

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Boom), transaction.atomic():
            send_recorded(owner=expert, to=["a@example.org"], subject="s", body="b",
                          language="en", kind="test")
            raise Boom
    assert mail.outbox == [] and SentMessage.objects.count() == 0


def test_an_idempotency_key_sends_once(expert, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_recorded(owner=expert, to=["a@example.org"], subject="s", body="b",
                      language="en", kind="test", idempotency_key="k-1")
    first = SentMessage.objects.get()
    again = send_recorded(owner=expert, to=["a@example.org"], subject="s", body="b",
                          language="en", kind="test", idempotency_key="k-1", immediately=True)
    assert again == first and len(mail.outbox) == 1 and SentMessage.objects.count() == 1


def test_fake_failing_backend_the_failure_is_recorded_then_raised(expert, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FakeFailingBackend"
    with pytest.raises(ConnectionRefusedError):
        send_recorded(owner=expert, to=["a@example.org"], subject="s", body="b",
                      language="en", kind="test", idempotency_key="k-2", immediately=True)
    record = SentMessage.objects.get()
    assert record.outcome == "failed" and "refused" in record.error
    # A failed send does not spend the key: the next try sends.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = send_recorded(owner=expert, to=["a@example.org"], subject="s", body="b",
                            language="en", kind="test", idempotency_key="k-2", immediately=True)
    assert retried.outcome == "sent" and len(mail.outbox) == 1


def test_existing_sends_go_through_the_adapter(sent, make_expert, client):
    """The client's link (acceptance), listed in the engagement's history for its owner;
    another expert gets a 404 and never sees the message."""
    engagement, link = sent("S2")
    record = SentMessage.objects.get(engagement=engagement, kind="link")
    assert record.owner == engagement.owner and record.recipients == [link.link.email]
    assert mail.outbox[-1].extra_headers["Message-ID"] == record.message_id
    url = reverse("terms_kit_engagement:status", args=[engagement.pk])
    client.force_login(engagement.owner)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="sent-messages"' in body and escape(record.message_id) in body
    bob = make_expert("bob")
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_payment_and_checkpoint_mails_are_recorded(text_pdfs, accepted, settings,
                                                   django_capture_on_commit_callbacks):
    from django.utils import timezone

    from terms_kit.services import payments
    from terms_kit.services.checkpoints import make_checkpoint

    engagement, _link = accepted("S2")
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                                method="transfer")
    kinds = set(SentMessage.objects.values_list("kind", flat=True))
    assert {"link", "code", "accepted", "invoice", "payment_received"} <= kinds
    invoice_mail = SentMessage.objects.filter(kind="invoice").last()
    assert invoice_mail.attachments and invoice_mail.attachments[0]["name"].endswith(".pdf")
    settings.TERMS_KIT = {**settings.TERMS_KIT, "CHECKPOINT_EMAILS": ["ops@example.org"]}
    outcome = make_checkpoint()
    assert outcome.created and outcome.recipients
    checkpoint_mail = SentMessage.objects.get(kind="checkpoint")
    assert checkpoint_mail.owner is None and len(checkpoint_mail.attachments) == 2
    assert checkpoint_mail.recipients == ["ops@example.org"]
