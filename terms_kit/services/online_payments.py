"""Card payments through the configured provider: checkout, holds, capture, refunds, events.

The money itself is recorded by services/payments.py (``record_payment``, ``refund_payment``,
``secure_instalment``, ``release_instalment``); this module decides, from the provider's
answers and events, when to call them. Every function is idempotent: a provider payment is
recorded once (unique (provider, provider_payment_id)), a refund once (its provider id), and
an ``OnlineCheckout`` only moves forward (a late, stale event cannot undo a newer state).

Lock order: the checkout row, then (inside the payments service) the engagement row.
"""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..exceptions import PaymentRefused
from ..models import (
    CheckoutState,
    Engagement,
    InstalmentKind,
    InstalmentState,
    OnlineCheckout,
    Payment,
    Refund,
)
from ..payments.providers import ProviderError, get_provider
from ..status import Status
from . import payments

logger = logging.getLogger("terms_kit.payments")

CS = CheckoutState
HOLD_DAYS = 7  # a customer-initiated card hold lasts 7 days (when the provider does not say)
REUSE_OPEN_CHECKOUT = datetime.timedelta(hours=23)  # Stripe's sessions live 24 hours
PAYABLE_STATUSES = {Status.ACCEPTED, Status.DEPOSIT_DUE, Status.IN_PROGRESS, Status.DELIVERED,
                    Status.BALANCE_DUE, Status.OVERDUE, Status.FORMAL_NOTICE}
OPEN_STATES = {InstalmentState.DUE, InstalmentState.PARTLY_PAID, InstalmentState.OVERDUE}
# What a state may become: an event for an earlier state arriving late changes nothing.
FORWARD = {
    CS.OPEN: {CS.AUTHORISED, CS.PAID, CS.CAPTURED, CS.CANCELED, CS.EXPIRED, CS.RELEASED},
    CS.AUTHORISED: {CS.CAPTURED, CS.RELEASED, CS.EXPIRED},
    CS.CANCELED: set(),  # a canceled payment never brings money
    CS.PAID: set(), CS.CAPTURED: set(), CS.RELEASED: set(), CS.EXPIRED: set(),
}


class Rejected(Exception):
    """An event that does not match what terms-kit asked for: logged, nothing recorded."""


def _provider():
    provider = get_provider()
    if provider is None:
        raise PaymentRefused(_("Online payment is not set up: pay by bank transfer."))
    return provider


def _is_hold(instalment):
    return instalment.kind == InstalmentKind.PREAUTHORISATION


def payable_online(engagement):
    """The instalments the client may pay (or secure by a card hold) online now, in order."""
    if get_provider() is None or engagement.status not in PAYABLE_STATUSES:
        return []
    found = []
    for instalment in engagement.instalments.all():
        if _is_hold(instalment):
            if not instalment.secured_at and instalment.state not in (
                    InstalmentState.PAID, InstalmentState.CANCELLED, InstalmentState.REFUNDED):
                found.append(instalment)
        elif instalment.state in OPEN_STATES and instalment.left_to_pay > 0:
            found.append(instalment)
    return found


def start_checkout(engagement, instalment_id, *, success_url, cancel_url, email="",
                   language="fr"):
    """Open (or reuse) the provider's payment page for one instalment; returns the checkout."""
    provider = _provider()
    with transaction.atomic():
        instalment = engagement.instalments.select_for_update().filter(pk=instalment_id).first()
        if instalment is None or instalment not in payable_online(engagement):
            raise PaymentRefused(_("This amount cannot be paid online (already paid, not due "
                                   "yet, or cancelled)."))
        hold = _is_hold(instalment)
        amount = instalment.amount if hold else instalment.left_to_pay
        reusable = OnlineCheckout.objects.filter(
            instalment=instalment, state=CS.OPEN, hold=hold, amount=amount,
            provider=provider.name, created_at__gte=timezone.now() - REUSE_OPEN_CHECKOUT,
        ).exclude(url="").last()
        if reusable:
            return reusable
        checkout = OnlineCheckout.objects.create(
            engagement=engagement, instalment=instalment, provider=provider.name, hold=hold,
            amount=amount, currency=app_settings.CURRENCY,
        )
    with translation.override(language):
        description = f"{engagement.number} · {instalment.label}"
    # Outside the transaction: no row lock held across a network call. The request is
    # idempotent on the checkout's id, so a retry never opens a second charge.
    try:
        page = provider.create_checkout(
            reference=checkout.pk, amount=amount, currency=checkout.currency,
            description=description, email=email, language=language,
            success_url=success_url, cancel_url=cancel_url, hold=hold,
            metadata={"engagement": str(engagement.pk), "instalment": str(instalment.pk)},
        )
    except ProviderError:
        OnlineCheckout.objects.filter(pk=checkout.pk).update(state=CS.CANCELED)
        raise
    OnlineCheckout.objects.filter(pk=checkout.pk).update(session_id=page.session_id, url=page.url)
    checkout.session_id, checkout.url = page.session_id, page.url
    return checkout


# --- Events -------------------------------------------------------------------------------

def find_checkout(provider, event, *, lock=False):
    """The id of the checkout an event is about: by our reference, else the payment or
    session id; None when terms-kit did not start that payment. With ``lock``, the checkout
    itself, locked (SELECT ... FOR UPDATE): one query finds and locks it.

    An event that carries neither our reference nor a known id (a refund whose payment
    events have not come yet) is traced through the payment's own metadata at the provider.
    """
    checkouts = OnlineCheckout.objects.filter(provider=provider.name)
    if lock:
        # Its engagement and instalment are not joined here: a redelivery (half the
        # deliveries) never reads them.
        checkouts = checkouts.select_for_update()

    def first(query):
        return query.first() if lock else query.values_list("pk", flat=True).first()

    lookups = []
    if event.checkout_ref.isdigit():
        lookups.append({"pk": int(event.checkout_ref)})
    if event.payment_id:
        lookups.append({"payment_id": event.payment_id})
    if event.session_id:
        lookups.append({"session_id": event.session_id})
    for lookup in lookups:
        found = first(checkouts.filter(**lookup))
        if found:
            return found
    if event.kind == "refunded" and event.payment_id:
        ref = provider.get_payment(event.payment_id).checkout_ref
        if ref.isdigit():
            return first(checkouts.filter(pk=int(ref)))
    return None


def _move(checkout, state, **fields):
    if state != checkout.state and state not in FORWARD[checkout.state]:
        return False
    checkout.state = state
    for name, value in fields.items():
        setattr(checkout, name, value)
    # Only what an event may change (its state, what came with it, the payment id and a
    # problem set by the caller): a full save would rewrite every column.
    checkout.save(update_fields=["state", "payment_id", "problem", "updated_at", *fields])
    return True


def _check_money(checkout, amount, currency, *, at_most=False):
    if currency and currency != checkout.currency:
        raise Rejected(f"currency {currency} instead of {checkout.currency}")
    if amount is None or amount <= 0 or amount > checkout.amount or (
            not at_most and amount != checkout.amount):
        raise Rejected(f"amount {amount} {currency} does not match the {checkout.amount} "
                       f"{checkout.currency} asked for")


def apply_event(provider, event, checkout):
    """Act on one normalised event for ``checkout`` (locked by the caller); returns what it did.

    Raises Rejected when the event's money does not match the checkout.
    """
    kind = event.kind
    if event.payment_id and not checkout.payment_id:
        checkout.payment_id = event.payment_id
        if kind != "paid":  # a "paid" event saves the checkout in every outcome (_paid)
            checkout.save(update_fields=["payment_id", "updated_at"])
    if kind == "checkout_completed":
        if checkout.hold and checkout.state == CS.OPEN and checkout.payment_id:
            # The hold event may come later (or have been missed): ask for the intent's state.
            state = provider.get_payment(checkout.payment_id)
            if state.status == "authorised":
                return _authorised(checkout, state.amount, state.currency, state.capture_before)
        return "checkout completed"
    if kind == "authorised":
        return _authorised(checkout, event.amount, event.currency, event.capture_before,
                           provider=provider)
    if kind == "paid":
        _check_money(checkout, event.amount, event.currency, at_most=checkout.hold)
        if checkout.state == (CS.CAPTURED if checkout.hold else CS.PAID) and not checkout.problem:
            # The other event of the same payment (payment_intent.succeeded and
            # checkout.session.completed), or a capture the expert made: the payment is
            # recorded (unique provider id); nothing to read or write.
            return "payment already recorded"
        return _paid(checkout, event.amount, event.created)
    if kind == "canceled":
        return _canceled(checkout, requested=False)
    if kind == "refunded":
        return _sync_refunds(provider, checkout, event)
    return "ignored"


def _authorised(checkout, amount, currency, capture_before, provider=None):
    _check_money(checkout, amount, currency)
    if checkout.state != CS.OPEN:  # a late event for a hold already captured, released...
        return f"already {checkout.state}"
    if capture_before is None and provider is not None:
        capture_before = provider.get_payment(checkout.payment_id).capture_before
    capture_before = capture_before or checkout.created_at + datetime.timedelta(days=HOLD_DAYS)
    _move(checkout, CS.AUTHORISED, capture_before=capture_before)
    payments.secure_instalment(checkout.instalment, reference=checkout.payment_id)
    return "hold placed"


def _paid(checkout, amount, when, user=None):
    state = CS.CAPTURED if checkout.hold else CS.PAID
    try:
        # By their ids: record_payment locks and reads the engagement and its instalments
        # itself, so loading them here would be two queries for nothing.
        payment = payments.record_payment(
            Engagement(pk=checkout.engagement_id), amount=amount,
            paid_on=timezone.localdate(when), method=Payment.Method.CARD_ONLINE,
            reference=checkout.payment_id, user=user, instalment=checkout.instalment_id,
            provider=checkout.provider,
            provider_payment_id=checkout.payment_id,
        )
    except PaymentRefused as exc:
        # The card was charged but the payment cannot be recorded as such (e.g. the expert
        # recorded a transfer meanwhile): keep it in front of the expert, never lose it.
        checkout.problem = str(exc)
        _move(checkout, state, captured_amount=amount if checkout.hold else None)
        logger.error("Provider payment %s not recorded: %s", checkout.payment_id, exc)
        return f"payment not recorded: {exc}"
    _move(checkout, state, captured_amount=amount if checkout.hold else None)
    return f"payment #{payment.pk} recorded"


def _canceled(checkout, *, requested, user=None):
    was_held = checkout.state == CS.AUTHORISED
    target = CS.RELEASED if requested else (CS.EXPIRED if was_held else CS.CANCELED)
    if not _move(checkout, target):
        return f"already {checkout.state}"
    if was_held:
        payments.release_instalment(checkout.instalment, user=user)
        if not requested:
            transaction.on_commit(lambda: _notify_expert(checkout, "hold_expired"))
    return f"hold {target}" if was_held else "checkout cancelled"


def _sync_refunds(provider, checkout, event):
    """Record every refund the provider made on the payment, each once, by its own id."""
    payment = Payment.objects.filter(provider=checkout.provider,
                                     provider_payment_id=checkout.payment_id).first()
    if payment is None:
        # The refund event came before the payment's: the money was received first.
        state = provider.get_payment(checkout.payment_id)
        if state.status != "paid":
            return "refund of an unpaid payment ignored"
        _check_money(checkout, state.amount, state.currency, at_most=checkout.hold)
        _paid(checkout, state.amount, event.created)
        payment = Payment.objects.filter(provider=checkout.provider,
                                         provider_payment_id=checkout.payment_id).first()
        if payment is None:
            return "refund of a payment not recorded"
    done = set(Refund.objects.filter(payment=payment).values_list("provider_refund_id",
                                                                  flat=True))
    recorded = 0
    for refund_id, amount in provider.list_refunds(checkout.payment_id):
        if refund_id not in done:
            payments.refund_payment(payment, amount=amount, reason=_("Refunded by card"),
                                    provider_refund_id=refund_id)
            recorded += 1
    return f"{recorded} refund(s) recorded"


# --- The expert's actions on a card hold, and refunds -------------------------------------

def _locked(checkout):
    return OnlineCheckout.objects.select_for_update().select_related(
        "engagement", "instalment").get(pk=checkout.pk)


def capture_hold(checkout, amount, *, user=None):
    """Take ``amount`` (at most the hold) from the client's held card, after the service."""
    provider = _provider()
    amount = Decimal(amount)
    if checkout.state != CS.AUTHORISED:
        raise PaymentRefused(_("There is no card hold to capture (it is %(state)s).")
                             % {"state": checkout.get_state_display()}, field="amount")
    if not Decimal("0") < amount <= checkout.amount:
        raise PaymentRefused(_("Capture between 0.01 and the %(held)s held, not %(amount)s.")
                             % {"held": checkout.amount, "amount": amount}, field="amount")
    try:
        state = provider.capture(checkout.payment_id, amount, reference=f"{checkout.pk}-{amount}")
    except ProviderError as exc:
        raise PaymentRefused(str(exc), field="amount") from exc
    with transaction.atomic():
        locked = _locked(checkout)
        outcome = _paid(locked, state.amount, timezone.now(), user=user)
    checkout.refresh_from_db()
    return outcome


def release_hold(checkout, *, user=None):
    """Let the client's card hold go (the service was cancelled): nothing is taken."""
    provider = _provider()
    if checkout.state != CS.AUTHORISED:
        raise PaymentRefused(_("There is no card hold to release (it is %(state)s).")
                             % {"state": checkout.get_state_display()})
    try:
        provider.release(checkout.payment_id, reference=str(checkout.pk))
    except ProviderError as exc:
        raise PaymentRefused(str(exc)) from exc
    with transaction.atomic():
        outcome = _canceled(_locked(checkout), requested=True, user=user)
    checkout.refresh_from_db()
    return outcome


def refund_online(payment, amount, *, reason, user=None):
    """Give back ``amount`` of a card payment through the provider; a credit note follows."""
    provider = _provider()
    if payment.provider != provider.name or not payment.provider_payment_id:
        raise PaymentRefused(_("This payment was not made online: refund it by transfer and "
                               "record the refund."), field="amount")
    amount = Decimal(amount)
    given_back = Refund.objects.filter(payment=payment).aggregate(t=Sum("amount"))["t"] or 0
    if not Decimal("0") < amount <= payment.amount - given_back:
        raise PaymentRefused(_("Refund between 0.01 and the %(left)s not refunded yet.")
                             % {"left": payment.amount - given_back}, field="amount")
    try:
        refund_id = provider.refund(payment.provider_payment_id, amount,
                                    reference=f"{payment.pk}-{given_back}-{amount}")
    except ProviderError as exc:
        raise PaymentRefused(str(exc), field="amount") from exc
    # Idempotent on the refund's id: the provider's own event for it records nothing more.
    return payments.refund_payment(payment, amount=amount, reason=reason, user=user,
                                   provider_refund_id=refund_id)


# --- Holds about to expire ----------------------------------------------------------------

def sweep_holds(now=None):
    """Warn the expert once about each hold that expires soon; mark holds that expired.

    Idempotent: the warning is claimed by a conditional update, so two runs send one e-mail.
    Returns (warned, expired) counts.
    """
    now = now or timezone.now()
    soon = now + datetime.timedelta(hours=app_settings.HOLD_WARNING_HOURS)
    held = OnlineCheckout.objects.filter(state=CS.AUTHORISED)
    warned = 0
    for checkout in held.filter(capture_before__lte=soon, capture_before__gt=now,
                                expiry_warned_at__isnull=True):
        claimed = OnlineCheckout.objects.filter(
            pk=checkout.pk, expiry_warned_at__isnull=True).update(expiry_warned_at=now)
        if claimed:
            _notify_expert(checkout, "hold_expiring")
            warned += 1
    expired = 0
    for checkout in held.filter(capture_before__lte=now):
        with transaction.atomic():
            locked = _locked(checkout)
            if locked.state == CS.AUTHORISED:
                _canceled(locked, requested=False)
                expired += 1
    return warned, expired


def _notify_expert(checkout, template):
    engagement = checkout.engagement
    to = engagement.identity.email or engagement.owner.email
    if not to:
        return
    lang = engagement.language
    with translation.override(lang):
        context = {
            "number": engagement.number, "client": engagement.client.name,
            "amount": checkout.amount, "currency": checkout.currency,
            "capture_before": checkout.capture_before and timezone.localtime(
                checkout.capture_before),
            "url": _admin_url(engagement),
        }
        subjects = {
            "hold_expiring": _("Quote %(number)s: the card hold expires soon, capture it"),
            "hold_expired": _("Quote %(number)s: the card hold has expired"),
        }
        subject = subjects[template] % {"number": engagement.number}
        body = render_to_string(f"terms_kit/email/{template}.txt", context)
    from .mail import send_recorded

    send_recorded(owner=engagement.owner, engagement=engagement, to=[to], subject=subject,
                  body=body, language=lang, kind=template, related=checkout,
                  from_email=app_settings.FROM_EMAIL or None, immediately=True)


def _admin_url(engagement):
    from .acceptance import _base_url

    return _base_url() + reverse("terms_kit_card_payments", args=[engagement.pk])
