"""Every message the money sends the client (acceptance confirmation, payment received, the
deposit invoice, a receipt on request, the final invoice to pay, a credit note) is written in
the client's language, whatever the expert's, with its PDF attached; the invoice document
itself is made in that language too. S5 (deposit, receipt, final invoice, refund), with the
client's language set to English, then to French."""

import pytest
from django.core import mail
from django.utils import timezone

from terms_kit.models import Invoice
from terms_kit.services import payments

pytestmark = pytest.mark.django_db

EXPECTED = {
    "en": {
        "accepted": "accepted: your signed copy",
        "payment_received": ("Payment received: ", "We have recorded your payment of"),
        "deposit": ("Deposit invoice ", "It is already paid."),
        "receipt": ("Payment receipt ", "Please find attached receipt"),
        "final": ("Final invoice ", "to pay for quote"),
        "credit_note": ("Credit note ", "Please find attached credit note"),
    },
    "fr": {
        "accepted": "accepté : votre exemplaire signé",
        "payment_received": ("Paiement reçu : ", "Nous avons enregistré votre paiement de"),
        "deposit": ("Facture d'acompte ", "Veuillez trouver ci-joint"),
        "receipt": ("Reçu de paiement ", "Veuillez trouver ci-joint le reçu"),
        "final": ("Facture de solde ", "à payer pour le"),
        "credit_note": ("Avoir ", "Veuillez trouver ci-joint l'avoir"),
    },
}


def _mails_since(start, to):
    return [m for m in mail.outbox[start:] if to in m.to]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_money_emails_are_in_the_clients_language(
        language, text_pdfs, accepted, django_capture_on_commit_callbacks):
    def client_language(data):
        data["client"]["language"] = language

    engagement, _link = accepted("S5", change=client_language)
    client_email = engagement.client.email
    expected = EXPECTED[language]
    assert engagement.client.language == language
    assert any(expected["accepted"] in m.subject for m in _mails_since(0, client_email))
    other = "fr" if language == "en" else "en"
    run = django_capture_on_commit_callbacks

    start = len(mail.outbox)
    with run(execute=True):
        payment = payments.record_payment(engagement, amount="900.00", method="cheque",
                                          paid_on=timezone.localdate())
    with run(execute=True):
        receipt = payments.issue_payment_receipt(payment)
    with run(execute=True):
        [final] = payments.mark_completed(engagement)
    with run(execute=True):
        refund = payments.refund_payment(payment, amount="100.00", reason="gesture")
    sent = _mails_since(start, client_email)
    deposit = Invoice.objects.get(engagement=engagement, kind="deposit")
    by_number = {invoice.number: kind for invoice, kind in (
        (deposit, "deposit"), (receipt, "receipt"), (final, "final"),
        (refund.credit_note, "credit_note"))}
    for number, kind in by_number.items():
        [message] = [m for m in sent if number in m.subject]
        subject_start, body_text = expected[kind]
        assert message.subject.startswith(subject_start), (kind, message.subject)
        assert body_text in message.body, (kind, message.body)
        assert [name for name, _data, _type in message.attachments] == [f"{number}.pdf"]
        assert message.attachments[0][1].startswith(b"%PDF")
        # Nothing of the other language's wording slipped in.
        assert expected_other(other, kind) not in message.subject
        assert Invoice.objects.get(number=number, engagement=engagement).language == language
    [confirmation] = [m for m in sent if m.subject.startswith(
        expected["payment_received"][0])]
    assert expected["payment_received"][1] in confirmation.body
    assert engagement.number in confirmation.subject


def expected_other(other, kind):
    return EXPECTED[other][kind][0]
