"""S1 (card hold, capture, release, expiry) and S2 (deposit by card) through the client page, the
webhook endpoint and the expert's card payments page, against the FAKE Stripe server with the
real stripe SDK. Out-of-order events, amount/currency mismatches, refunds -> credit notes."""

import datetime
import json
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from stripe_helpers import accept_engagement, deliver, post_event

from terms_kit.models import (
    CheckoutState,
    Invoice,
    InvoiceKind,
    OnlineCheckout,
    Payment,
    ProviderEvent,
    Refund,
    StatusChange,
)
from terms_kit.services import online_payments
from terms_kit.services.payments import may_start
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(sent, fake_stripe):
    def make(key):
        engagement, sent_link = sent(key)
        accept_engagement(sent_link)
        engagement.refresh_from_db()
        return engagement, sent_link.token

    return make


def client_page(token):
    return reverse("terms_kit:client_review", args=[token])


def pay(client, fake_stripe, engagement, token, kind):
    """The client presses the pay button of the ``kind`` instalment, then pays on the
    fake server."""
    instalment = engagement.instalments.get(kind=kind)
    page = client.get(client_page(token)).content.decode()
    assert f'id="pay-{instalment.pk}"' in page
    response = client.post(reverse("terms_kit:client_pay", args=[token, instalment.pk]))
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[1]
    assert response["Location"] == f"{fake_stripe.url}/pay/{session_id}"
    fake_stripe.pay(session_id)
    return instalment, session_id


def admin_login(client, engagement):
    client.force_login(engagement.owner)


# --- S2: the deposit paid by card ---------------------------------------------------------

def test_s2_fake_stripe_deposit_by_card_numbers_the_deposit_invoice_and_work_may_start(
        client, accepted, fake_stripe):
    engagement, token = accepted("S2")
    assert not may_start(engagement).ok
    instalment, session_id = pay(client, fake_stripe, engagement, token, "deposit")
    assert instalment.amount == Decimal("4320.00")
    sent_to_stripe = [r for r in fake_stripe.requests if r[1] == "/v1/checkout/sessions"][0][2]
    assert sent_to_stripe["line_items"][0]["price_data"]["unit_amount"] == "432000"
    assert sent_to_stripe["success_url"].startswith("http://testserver/terms/c/")

    responses = deliver(client, fake_stripe)
    assert [r.status_code for r in responses] == [200, 200, 200]

    payment = Payment.objects.get(engagement=engagement)
    assert (payment.amount, payment.method, payment.provider) == (
        Decimal("4320.00"), Payment.Method.CARD_ONLINE, "stripe")
    invoice = Invoice.objects.get(engagement=engagement, kind=InvoiceKind.DEPOSIT)
    assert invoice.number.startswith("F-") and invoice.incl_vat == Decimal("4320.00")
    engagement.refresh_from_db()
    assert engagement.status == Status.IN_PROGRESS
    assert may_start(engagement).ok
    checkout = OnlineCheckout.objects.get(session_id=session_id)
    assert checkout.state == CheckoutState.PAID
    # Both "paid" events (payment_intent.succeeded, checkout.session.completed) were handled,
    # the second found the payment already recorded.
    assert ProviderEvent.objects.filter(checkout=checkout).count() == 2
    # The client page no longer offers to pay the deposit, and says the payment came through.
    page = client.get(client_page(token) + "?payment=done").content.decode()
    assert f'id="pay-{instalment.pk}"' not in page and 'id="payment-done"' in page


def test_s2_fake_stripe_redelivered_and_reordered_events_record_one_payment(
        client, accepted, fake_stripe):
    engagement, token = accepted("S2")
    pay(client, fake_stripe, engagement, token, "deposit")
    events = fake_stripe.take_events()
    for body, header in reversed(events + events):  # newest first, each twice
        assert post_event(client, body, header).status_code == 200
    assert Payment.objects.filter(engagement=engagement).count() == 1
    assert Invoice.objects.filter(engagement=engagement, kind=InvoiceKind.DEPOSIT).count() == 1
    assert StatusChange.objects.filter(engagement=engagement,
                                       to_status=Status.IN_PROGRESS).count() == 1


@pytest.mark.parametrize("change", ["amount", "currency"])
def test_s2_fake_stripe_amount_or_currency_mismatch_stores_nothing(
        client, accepted, fake_stripe, change, caplog):
    engagement, token = accepted("S2")
    pay(client, fake_stripe, engagement, token, "deposit")
    fake_stripe.take_events()
    checkout = OnlineCheckout.objects.get(engagement=engagement)
    intent = dict(fake_stripe.intents[fake_stripe.sessions[checkout.session_id]["payment_intent"]])
    if change == "amount":
        intent["amount_received"] = 100  # 1.00 EUR instead of 4 320.00
    else:
        intent["currency"] = "usd"
    body, header = fake_stripe.event("payment_intent.succeeded", intent)
    with caplog.at_level("WARNING", logger="terms_kit.payments"):
        response = post_event(client, body, header)
    assert response.status_code == 200 and b"rejected" in response.content
    assert "rejected" in caplog.text
    assert not Payment.objects.filter(engagement=engagement).exists()
    assert not Invoice.objects.filter(engagement=engagement).exists()
    assert not ProviderEvent.objects.filter(event_id=json.loads(body)["id"]).exists()
    engagement.refresh_from_db()
    assert engagement.status != Status.IN_PROGRESS


def test_s2_fake_stripe_refund_by_the_expert_issues_a_credit_note_once(client, accepted,
                                                                        fake_stripe):
    engagement, token = accepted("S2")
    pay(client, fake_stripe, engagement, token, "deposit")
    deliver(client, fake_stripe)
    payment = Payment.objects.get(engagement=engagement)
    admin_login(client, engagement)
    url = reverse("terms_kit_card_refund", args=[engagement.pk, payment.pk])
    response = client.post(url, {"amount": "5000.00", "reason": "Mission cancelled"})
    assert response.status_code == 302 and not Refund.objects.exists()  # more than was paid
    client.post(url, {"amount": "4320.00", "reason": "Mission cancelled"})
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == Decimal("4320.00") and refund.provider_refund_id.startswith("re_")
    assert refund.credit_note.kind == InvoiceKind.CREDIT_NOTE
    assert refund.credit_note.number.startswith("AV-")
    # Stripe's own events for that refund change nothing more.
    assert [r.status_code for r in deliver(client, fake_stripe)] == [200, 200]
    assert Refund.objects.count() == 1
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_s2_fake_stripe_refund_event_before_the_payment_event(client, accepted, fake_stripe):
    """A refund made in Stripe's dashboard whose event arrives first: the payment is read from
    the PaymentIntent's state and recorded, then the refund, each once."""
    engagement, token = accepted("S2")
    pay(client, fake_stripe, engagement, token, "deposit")
    paid_events = fake_stripe.take_events()
    checkout = OnlineCheckout.objects.get(engagement=engagement)
    intent_id = fake_stripe.sessions[checkout.session_id]["payment_intent"]
    fake_stripe.refund({"payment_intent": intent_id, "amount": "100000"})  # 1 000.00 EUR
    responses = deliver(client, fake_stripe)
    assert all(r.status_code == 200 for r in responses)
    payment = Payment.objects.get(engagement=engagement)
    assert payment.amount == Decimal("4320.00")
    assert Refund.objects.get(payment=payment).amount == Decimal("1000.00")
    for body, header in paid_events:
        post_event(client, body, header)
    assert Payment.objects.count() == 1 and Refund.objects.count() == 1


def test_fake_stripe_pay_button_refused_for_another_engagements_instalment(
        client, accepted, fake_stripe, make_expert):
    engagement, token = accepted("S2")
    other, other_token = accepted("S5")
    theirs = other.instalments.first()
    response = client.post(reverse("terms_kit:client_pay", args=[token, theirs.pk]))
    assert response.status_code == 302 and response["Location"].endswith(client_page(token))
    assert not OnlineCheckout.objects.exists()
    # And another expert cannot open this engagement's card payments page.
    client.force_login(make_expert("intruder"))
    assert client.get(reverse("terms_kit_card_payments", args=[engagement.pk])).status_code == 404


def test_fake_stripe_pay_button_needs_csrf(accepted, fake_stripe):
    from django.test import Client

    engagement, token = accepted("S2")
    strict = Client(enforce_csrf_checks=True)
    instalment = engagement.instalments.get(kind="deposit")
    response = strict.post(reverse("terms_kit:client_pay", args=[token, instalment.pk]))
    assert response.status_code == 403 and not OnlineCheckout.objects.exists()


def test_fake_stripe_second_click_reuses_the_open_payment_page(client, accepted, fake_stripe):
    engagement, token = accepted("S2")
    instalment = engagement.instalments.get(kind="deposit")
    url = reverse("terms_kit:client_pay", args=[token, instalment.pk])
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert OnlineCheckout.objects.count() == 1 and len(fake_stripe.sessions) == 1


def test_no_provider_no_pay_button(client, sent, sealed_settings):
    engagement, sent_link = sent("S2")
    accept_engagement(sent_link)
    page = client.get(client_page(sent_link.token)).content.decode()
    assert 'class="pay-online"' not in page and 'class="epc-qr"' in page  # transfer only


# --- S1: the card hold ----------------------------------------------------------------------

def _held(client, accepted, fake_stripe):
    engagement, token = accepted("S1")
    instalment, session_id = pay(client, fake_stripe, engagement, token, "preauthorisation")
    assert [r.status_code for r in deliver(client, fake_stripe)] == [200, 200, 200]
    checkout = OnlineCheckout.objects.get(session_id=session_id)
    return engagement, instalment, checkout


def test_s1_fake_stripe_hold_at_booking_then_capture_after_the_call(client, accepted, fake_stripe):
    engagement, instalment, checkout = _held(client, accepted, fake_stripe)
    assert checkout.hold and checkout.state == CheckoutState.AUTHORISED
    assert checkout.amount == Decimal("60.00")
    # The deadline is the card's capture_before (7 days), read from the charge.
    assert abs(checkout.capture_before - (timezone.now() + datetime.timedelta(days=7))) < \
        datetime.timedelta(minutes=5)
    instalment.refresh_from_db()
    assert instalment.secured_at and instalment.secured_reference == checkout.payment_id
    assert not Payment.objects.exists()  # a hold is not money received

    admin_login(client, engagement)
    page = client.get(reverse("terms_kit_card_payments", args=[engagement.pk]))
    assert b'data-state="authorised"' in page.content
    action = reverse("terms_kit_card_action", args=[engagement.pk, checkout.pk, "capture"])
    client.post(action, {"amount": "75.00"})  # more than the hold: refused
    assert not Payment.objects.exists()
    client.post(action, {"amount": "60.00"})
    payment = Payment.objects.get(engagement=engagement)
    assert payment.amount == Decimal("60.00") and payment.provider_payment_id == checkout.payment_id
    assert fake_stripe.intents[checkout.payment_id]["amount_received"] == 6000
    checkout.refresh_from_db()
    assert checkout.state == CheckoutState.CAPTURED and checkout.captured_amount == 60
    # A consumer gets a receipt for the money received.
    assert Invoice.objects.filter(engagement=engagement, payment=payment).exists()
    # Stripe's capture events come after: nothing more.
    assert all(r.status_code == 200 for r in deliver(client, fake_stripe))
    assert Payment.objects.count() == 1


def test_s1_fake_stripe_capture_below_the_hold_settles_the_instalment(client, accepted,
                                                                      fake_stripe):
    engagement, instalment, checkout = _held(client, accepted, fake_stripe)
    admin_login(client, engagement)
    action = reverse("terms_kit_card_action", args=[engagement.pk, checkout.pk, "capture"])
    client.post(action, {"amount": "45.00"})  # the call was shorter: 45.00 of the 60.00 held
    payment = Payment.objects.get(engagement=engagement)
    assert payment.amount == Decimal("45.00")
    assert fake_stripe.intents[checkout.payment_id]["amount_received"] == 4500
    instalment.refresh_from_db()
    engagement.refresh_from_db()
    # What was captured is what was owed: paid, not partly paid; the rest was released.
    assert (instalment.state, instalment.amount, instalment.left_to_pay) == (
        "paid", Decimal("45.00"), Decimal("0.00"))
    assert engagement.status == "paid"
    # Invoiced once, at the capture, for 45.00 (no invoice at the hold: no credit note).
    [invoice] = Invoice.objects.filter(engagement=engagement)
    assert (invoice.kind, invoice.net, invoice.snapshot["reduction"]["reduction"]) == (
        "final", Decimal("45.00"), "15.00")
    assert all(r.status_code == 200 for r in deliver(client, fake_stripe))  # capture events: no-op
    assert Payment.objects.count() == 1 and Invoice.objects.count() == 1


def test_s1_fake_stripe_hold_released_when_the_call_is_cancelled(client, accepted, fake_stripe):
    engagement, instalment, checkout = _held(client, accepted, fake_stripe)
    admin_login(client, engagement)
    client.post(reverse("terms_kit_card_action", args=[engagement.pk, checkout.pk, "release"]))
    checkout.refresh_from_db()
    instalment.refresh_from_db()
    assert checkout.state == CheckoutState.RELEASED and not instalment.secured_at
    assert fake_stripe.intents[checkout.payment_id]["status"] == "canceled"
    deliver(client, fake_stripe)
    checkout.refresh_from_db()
    assert checkout.state == CheckoutState.RELEASED  # not "expired": we asked for it
    assert not Payment.objects.exists()
    # Nothing left to capture.
    client.post(reverse("terms_kit_card_action", args=[engagement.pk, checkout.pk, "capture"]),
                {"amount": "60.00"})
    assert not Payment.objects.exists()


def test_s1_fake_stripe_hold_expiry_warning_then_expired_hold(client, accepted, fake_stripe):
    engagement, instalment, checkout = _held(client, accepted, fake_stripe)
    mail.outbox.clear()
    later = checkout.capture_before - datetime.timedelta(hours=3)
    assert online_payments.sweep_holds(now=later) == (1, 0)
    assert online_payments.sweep_holds(now=later) == (0, 0)  # warned once
    assert len(mail.outbox) == 1 and engagement.number in mail.outbox[0].subject
    assert "card-payments" in mail.outbox[0].body

    fake_stripe.expire_hold(checkout.payment_id)  # Stripe cancels the intent after 7 days
    assert [r.status_code for r in deliver(client, fake_stripe)] == [200]
    checkout.refresh_from_db()
    instalment.refresh_from_db()
    assert checkout.state == CheckoutState.EXPIRED and not instalment.secured_at
    assert "expiré" in mail.outbox[-1].subject  # in the expert's language (French)
    assert not may_start(engagement).ok
    admin_login(client, engagement)
    client.post(reverse("terms_kit_card_action", args=[engagement.pk, checkout.pk, "capture"]),
                {"amount": "60.00"})
    assert not Payment.objects.exists()


def test_s1_fake_stripe_sweep_marks_a_hold_expired_when_no_event_came(accepted, client,
                                                                      fake_stripe):
    engagement, instalment, checkout = _held(client, accepted, fake_stripe)
    after = checkout.capture_before + datetime.timedelta(minutes=1)
    assert online_payments.sweep_holds(now=after) == (0, 1)
    assert online_payments.sweep_holds(now=after) == (0, 0)
    checkout.refresh_from_db()
    assert checkout.state == CheckoutState.EXPIRED


def test_s1_fake_stripe_hold_events_out_of_order(client, accepted, fake_stripe):
    """The hold expired (canceled) and its older "authorised" event arrives last: the newer
    state stands, the instalment is not secured."""
    engagement, token = accepted("S1")
    instalment, session_id = pay(client, fake_stripe, engagement, token, "preauthorisation")
    held_events = fake_stripe.take_events()
    intent_id = fake_stripe.sessions[session_id]["payment_intent"]
    fake_stripe.expire_hold(intent_id)
    deliver(client, fake_stripe)
    for body, header in held_events:
        assert post_event(client, body, header).status_code == 200
    checkout = OnlineCheckout.objects.get(session_id=session_id)
    instalment.refresh_from_db()
    assert checkout.state in (CheckoutState.CANCELED, CheckoutState.EXPIRED)
    assert not instalment.secured_at


def test_fake_stripe_webhook_signed_long_ago_is_refused(client, accepted, fake_stripe):
    engagement, token = accepted("S2")
    pay(client, fake_stripe, engagement, token, "deposit")
    body, _ = fake_stripe.take_events()[1]
    old = fake_stripe.sign(body, timestamp=int(time.time()) - 600)
    assert post_event(client, body, old).status_code == 400
    assert not Payment.objects.exists()
