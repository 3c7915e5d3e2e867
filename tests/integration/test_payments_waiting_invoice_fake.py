"""After the expert's e-invoicing start date, a French business client without a SIREN: the
deposit paid by card through the webhook (FAKE Stripe server, real stripe SDK) is recorded
with its status effects, the deposit invoice waits (the law forbids issuing it), the ledger
tells the expert what to fill in (French and English), and the invoice is issued once the
SIREN is saved, or with the ledger's button."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from stripe_helpers import accept_engagement, deliver, post_event
from wagtail.users.models import UserProfile

from terms_kit.models import (
    BusinessIdentity,
    Client,
    Invoice,
    InvoiceKind,
    NumberSequence,
    Payment,
    StatusChange,
)
from terms_kit.services import payments
from terms_kit.status import Status

pytestmark = pytest.mark.django_db

SIREN = "732829320"  # a valid SIREN (Luhn)


@pytest.fixture
def paid_without_siren(sent, fake_stripe, client):
    """S2 accepted; then the expert's e-invoicing date has come and the client's SIREN is
    empty (set by queryset updates: no save signal); the client pays the deposit by card."""
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    engagement.refresh_from_db()
    Client.objects.filter(pk=engagement.client_id).update(siren="")
    BusinessIdentity.objects.filter(pk=engagement.identity_id).update(
        einvoicing_from=timezone.localdate() - datetime.timedelta(days=30))
    deposit = engagement.instalments.get(kind="deposit")
    response = client.post(reverse("terms_kit:client_pay", args=[sent_link.token, deposit.pk]))
    fake_stripe.pay(response["Location"].rsplit("/", 1)[1])
    return engagement


def ledger(client, engagement, language):
    profile = UserProfile.get_for_user(engagement.owner)
    profile.preferred_language = language
    profile.save()
    client.force_login(engagement.owner)
    return client.get(reverse("terms_kit_engagement_ledger", args=[engagement.pk]))


def test_fake_stripe_deposit_without_client_siren_is_recorded_and_its_invoice_waits(
        client, fake_stripe, paid_without_siren, django_capture_on_commit_callbacks):
    engagement = paid_without_siren
    events = fake_stripe.take_events()
    for body, header in events + events:  # each delivered twice: never a 5xx, one payment
        assert post_event(client, body, header).status_code == 200
    payment = Payment.objects.get(engagement=engagement)
    engagement.refresh_from_db()
    assert engagement.status == Status.IN_PROGRESS  # the status effects of the payment
    assert StatusChange.objects.filter(engagement=engagement,
                                       to_status=Status.IN_PROGRESS).count() == 1
    assert payments.may_start(engagement).ok
    assert not Invoice.objects.filter(engagement=engagement).exists()
    assert not NumberSequence.objects.filter(series="invoice").exists()  # no number taken
    [waiting] = payments.invoices_waiting(engagement)
    assert (waiting.payment, waiting.amount) == (payment, payment.amount)

    # The expert is told which client and which field, in English and in French.
    page = ledger(client, engagement, "en").content.decode()
    assert 'id="waiting-invoices"' in page and 'data-field="client.siren"' in page
    assert "An invoice is waiting to be issued" in page
    assert f"Fill in the SIREN of {engagement.client.name}" in page
    assert reverse("terms_kit_client:edit", args=[engagement.client_id]) in page
    page = ledger(client, engagement, "fr").content.decode()
    assert "Une facture attend d’être émise" in page
    assert f"Renseigner le SIREN de {engagement.client.name}" in page
    assert "SIREN du client" in page

    # The SIREN saved (as the client's edit form saves it): the invoice is issued at once,
    # dated today, for the money received that day; the ledger no longer warns.
    customer = Client.objects.get(pk=engagement.client_id)
    customer.siren = SIREN
    with django_capture_on_commit_callbacks(execute=True):
        customer.save()
    invoice = Invoice.objects.get(engagement=engagement, kind=InvoiceKind.DEPOSIT)
    assert (invoice.payment, invoice.incl_vat, invoice.issue_date) == (
        payment, payment.amount, timezone.localdate())
    assert invoice.snapshot["received_on"] == payment.paid_on.isoformat()
    assert invoice.sequence == 1
    assert payments.invoices_waiting(engagement) == []
    page = ledger(client, engagement, "en").content.decode()
    assert 'id="waiting-invoices"' not in page and invoice.number in page
    # Saving the client again issues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        customer.save()
    assert Invoice.objects.filter(engagement=engagement).count() == 1


def test_waiting_invoice_issued_with_the_ledger_button_once_the_siren_is_there(
        client, fake_stripe, paid_without_siren):
    engagement = paid_without_siren
    for response in deliver(client, fake_stripe):
        assert response.status_code == 200
    button = reverse("terms_kit_ledger_issue_waiting", args=[engagement.pk])
    ledger(client, engagement, "en")
    # Still no SIREN: refused with what to fill in, nothing issued.
    response = client.post(button, follow=True)
    assert "The invoice cannot be issued yet" in response.content.decode()
    assert "SIREN" in response.content.decode()
    assert not Invoice.objects.exists()
    # Filled in by an update that sends no signal (an import, a shell): the button issues it.
    Client.objects.filter(pk=engagement.client_id).update(siren=SIREN)
    response = client.post(button, follow=True)
    invoice = Invoice.objects.get(engagement=engagement)
    assert invoice.kind == InvoiceKind.DEPOSIT
    assert f"Invoice issued: {invoice.number}." in response.content.decode()
    response = client.post(button, follow=True)
    assert "No invoice is waiting to be issued." in response.content.decode()
    assert Invoice.objects.count() == 1
    # The client page lists the deposit invoice to download.
    assert json.loads(json.dumps(invoice.snapshot))["net"] == str(invoice.net)
