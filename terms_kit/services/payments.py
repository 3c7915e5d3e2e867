"""Payments: the schedule, money received and given back, and the status that follows.

Contract (the other services, views, commands and provider webhooks call only these):

- ``create_schedule(engagement)``: the instalments of an accepted engagement, made from its
  payment conditions. Idempotent. Called inside the acceptance transaction.
- ``record_payment(engagement, *, amount, paid_on, method, reference="", user=None,
  instalment=None, provider="", provider_payment_id="")`` -> Payment. Allocates the amount to
  the open instalments (or to ``instalment``), issues the invoices due on receipt (deposit
  invoice, final invoice of a prepaid service), moves the status (origin PAYMENTS).
  Idempotent on (provider, provider_payment_id): a second call returns the first Payment and
  changes nothing (row lock + unique constraint, safe under concurrency). Raises
  PaymentRefused for an amount <= 0, an overpayment, an engagement not accepted, a consumer
  payment taken too early (training waiting period, off-premises 7 days).
- ``refund_payment(payment, *, amount, reason, user=None, provider_refund_id="")`` -> Refund
  (with its credit note when an invoice covered the money). Idempotent on provider_refund_id.
- ``may_start(engagement)`` -> MayStart(ok, reasons): "work may start".
- ``payments_sweep(on=None)``: instalments falling due and overdue, status to match.
  Idempotent; two runners at once are safe (each engagement under its row lock).
- Expert actions: ``mark_milestone_done``, ``mark_completed``, ``record_credit_use``,
  ``record_act``, ``refund_unused_credit``, ``issue_payment_receipt``; card holds for
  providers: ``secure_instalment`` / ``release_instalment``.

Every function runs in one transaction, locks the engagement row first, and writes only
insert-only evidence (payments, allocations, invoices, refunds) plus instalment states.
Amounts are incl. VAT and Decimal; the schedule rules are in docs/payments.md.
"""

import datetime
import logging
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import money
from ..conf import app_settings
from ..documents import rules
from ..exceptions import InvoiceNotIssuable, PaymentRefused
from ..models import (
    Allocation,
    ConsentKind,
    CreditClosure,
    CreditUse,
    DueTrigger,
    Engagement,
    Instalment,
    InstalmentKind,
    InstalmentState,
    Invoice,
    InvoiceKind,
    Payment,
    Refund,
    WorkStartNotice,
)
from ..models.engagement import PaymentModel, UnusedCredit
from ..payments import schedule
from ..status import ORIGINS, Origin, Status
from . import invoicing
from .status import StaleStatus, change_status

logger = logging.getLogger(__name__)

K, ST, T = InstalmentKind, InstalmentState, DueTrigger
# Paid before the work: these must be paid (or, for a card hold, secured) for work to start.
UPFRONT_KINDS = (K.DEPOSIT, K.FULL, K.CREDIT_PACK, K.PREAUTHORISATION)
OPEN_STATES = (ST.DUE, ST.PARTLY_PAID, ST.OVERDUE)
# Invoiced when their money is received (CGI 289 I-1-c), by _invoice_on_receipt.
INVOICED_ON_RECEIPT = (K.DEPOSIT, K.FULL, K.CREDIT_PACK, K.PREAUTHORISATION)
# Statuses in which money may be received.
PAYABLE_STATUSES = (Status.ACCEPTED, Status.DEPOSIT_DUE, Status.IN_PROGRESS, Status.DELIVERED,
                    Status.BALANCE_DUE, Status.OVERDUE, Status.FORMAL_NOTICE)


@dataclass(frozen=True)
class MayStart:
    ok: bool
    reasons: list = field(default_factory=list)

    def __bool__(self):
        return self.ok


# --- Small helpers --------------------------------------------------------------------------

def _lock(engagement):
    # FOR UPDATE OF the engagement only: its client, identity and owner are read with it
    # but not locked, so two payments of one expert's engagements do not queue on the
    # expert's rows (PostgreSQL; SQLite has no row locks).
    return (Engagement.objects.select_for_update(of=("self",))
            .select_related("client", "identity", "owner").get(pk=engagement.pk))


def _amount(value, field_name="amount"):
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise PaymentRefused(_("The amount %(value)s is not a number: write it like 4320.00.")
                             % {"value": value}, field_name) from None
    if not amount.is_finite():
        raise PaymentRefused(_("The amount %(value)s is not a number: write it like 4320.00.")
                             % {"value": value}, field_name)
    if amount != money.to_cents(amount):
        raise PaymentRefused(_("The amount %(value)s has more than two decimals: give it to "
                               "the cent.") % {"value": value}, field_name)
    if amount <= 0:
        raise PaymentRefused(_("The amount must be above 0 (it is %(value)s).")
                             % {"value": value}, field_name)
    return money.to_cents(amount)


def _fmt(amount, lang=None):
    from ..documents.formatting import money as format_money

    return format_money(amount, lang or translation.get_language() or "en")


def _fmt_date(day, lang=None):
    """29/11/2026 in the reader's language (never the ISO form in a sentence)."""
    from ..documents.formatting import short_date

    return short_date(day, (lang or translation.get_language() or "en")[:2])


def _regime(engagement, on=None):
    """The legal facts of the engagement (the checker's predicates, figures of ``on``)."""
    return rules.regime(rules.law_of(engagement), on)


def _is_training_consumer(engagement):
    return _regime(engagement).is_self_paid_training


def _acceptance_record(engagement):
    """The engagement's acceptance record; read from a prefetch of ``consent_records`` when
    the caller made one (the admin dashboard, to keep one query for many engagements)."""
    cached = getattr(engagement, "_prefetched_objects_cache", {}).get("consent_records")
    if cached is not None:
        return next((r for r in cached if r.kind == ConsentKind.ACCEPTANCE), None)
    return engagement.consent_records.filter(kind=ConsentKind.ACCEPTANCE).first()


def accepted_on(engagement):
    """The day the client accepted (from the consent record, else the status history); for
    a paper signature, the date written next to it, not the day the scan was uploaded."""
    record = _acceptance_record(engagement)
    if record is not None:
        if '"method":"paper"' in record.payload:
            import json

            return datetime.date.fromisoformat(json.loads(record.payload)["paper"]["signed_on"])
        return timezone.localdate(record.created_at)
    change = engagement.status_changes.filter(to_status=Status.ACCEPTED).first()
    return timezone.localdate(change.changed_at) if change else None


def withdrawal_end(engagement, accepted=None):
    """Last day of the withdrawal period, or None when the client has no such right."""
    if not _regime(engagement).has_withdrawal_right:
        return None
    accepted = accepted or accepted_on(engagement)
    if accepted is None:
        return None
    # The period in force the day the client accepted.
    return accepted + datetime.timedelta(days=_regime(engagement, accepted).withdrawal_days)


def due_after_invoice(engagement, invoice_date):
    """The payment term of the accepted terms, from the invoice date (or end of month)."""
    days = engagement.due_days
    if days is None:
        days = app_settings.DEFAULT_DUE_DAYS
    return schedule.due_after(invoice_date, days, engagement.due_basis)


def _next_position(engagement):
    last = engagement.instalments.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


# --- The schedule ---------------------------------------------------------------------------

def deposit_amount(engagement, totals=None):
    """The deposit incl. VAT: its percentage of each VAT base, VAT then rounded per rate
    (the figure the deposit invoice prints)."""
    if not engagement.deposit_percent:
        return None
    totals = totals or engagement.totals
    amount = money.ZERO
    for row in totals.breakdown:
        base = money.percent_of(row.base, engagement.deposit_percent)
        amount += base + money.to_cents(base * row.rate / 100)
    return amount


def plan(engagement, accepted=None):
    """The instalments the payment conditions call for, as dicts (nothing stored).

    Their order and triggers come from ``payments/schedule.steps``, the same function the
    compliance checker reads (C. conso L221-10); this adds the amounts."""
    totals = engagement.totals
    total = totals.total_incl_vat
    model = engagement.payment_model
    deposit = deposit_amount(engagement, totals) if model in schedule.MODELS_WITH_DEPOSIT else None
    deposit_word = (_("Arrhes") if engagement.deposit_label == "arrhes" else _("Deposit"))
    milestones = list(engagement.milestones.all()) if model == PaymentModel.MILESTONES else []
    labels = {K.FULL: _("Full payment"), K.CREDIT_PACK: _("Time-credit pack"),
              K.PREAUTHORISATION: _("Card pre-authorisation"), K.DEPOSIT: deposit_word}
    credit, planned = deposit or money.ZERO, money.ZERO
    items = []
    steps = schedule.steps(model, has_deposit=bool(deposit), milestone_count=len(milestones),
                           self_paid_training=_is_training_consumer(engagement))
    for step in steps:
        if step.made_when_due:
            continue  # one instalment per act, made when the expert records it
        milestone = None
        if step.kind == K.DEPOSIT:
            amount = deposit
        elif step.kind == K.MILESTONE:
            milestone = milestones[step.milestone]
            if step.milestone == len(milestones) - 1:
                amount = total - planned  # the last one takes the cents of the roundings
            else:
                rows = invoicing.rows_from_excl_vat(milestone.amount, totals.breakdown)
                gross = invoicing.totals_of(rows)[2]
                taken = min(credit, gross)  # the deposit is deducted first-fit
                credit -= taken
                amount = gross - taken
        elif step.kind == K.BALANCE:
            amount = total - planned
        else:
            amount = total
        planned += amount
        label = labels.get(step.kind) or (milestone.label if milestone else (
            _("Balance") if deposit else _("Payment at the end of the service")))
        items.append({"kind": step.kind, "label": label, "amount": money.to_cents(amount),
                      "due_trigger": step.trigger, "milestone": milestone})

    if _is_training_consumer(engagement) and items:
        items = _training_cap(engagement, items, total)
    return items


def _training_cap(engagement, items, total):
    """S6: at most 30 % of the price (dated figure) in the first instalment, which falls due
    the day after the withdrawal period (schedule.steps); the excess moves to the next."""
    share = _regime(engagement).param("training_max_first_payment_percent")
    cap = money.percent_of(total, share)
    first, rest = dict(items[0]), [dict(item) for item in items[1:]]
    if first["amount"] > cap:
        excess = first["amount"] - cap
        first["amount"] = cap
        if rest:
            rest[0]["amount"] += excess
        else:
            rest.append({"kind": K.BALANCE, "label": _("Balance"), "amount": excess,
                         "due_trigger": T.COMPLETION, "milestone": None})
    return [first] + rest


def create_schedule(engagement):
    """Make the instalments of an accepted engagement (idempotent); returns them in order.

    Instalments due on acceptance are due at once; the status moves to "deposit due" (or
    "in progress" when nothing is due before the work).
    """
    with transaction.atomic():
        locked = _lock(engagement)
        existing = list(locked.instalments.order_by("position"))
        if existing:
            return existing
        if locked.status not in PAYABLE_STATUSES:
            raise PaymentRefused(_("A payment schedule is made once the client has accepted "
                                   "the quote (this one is %(status)s).")
                                 % {"status": locked.get_status_display()})
        accepted = accepted_on(locked) or timezone.localdate()
        end = withdrawal_end(locked, accepted)
        with translation.override(locked.language):
            items = plan(locked, accepted)
        created = []
        for position, item in enumerate(items, start=1):
            trigger = item["due_trigger"]
            state, due = ST.SCHEDULED, None
            if trigger == T.ACCEPTANCE:
                state, due = ST.DUE, accepted
            elif trigger == T.WITHDRAWAL_END:
                due = (end or accepted) + datetime.timedelta(days=1)
            created.append(Instalment.objects.create(
                engagement=locked, position=position, kind=item["kind"], label=item["label"],
                amount=item["amount"], due_trigger=trigger, due_date=due, state=state,
                milestone=item["milestone"]))
        _sync_status(locked, note="payment schedule made")
        # The caller may hold its own locked instance (record_payment): keep its status
        # current, as its next change is decided from it.
        engagement.status = locked.status
        _notify_if_may_start(locked)
        return created


# --- Status follows the money ---------------------------------------------------------------

def _payments_path(from_status, to_status):
    """Shortest chain of changes the payments service may make, or None."""
    if from_status == to_status:
        return []
    edges = {}
    for (source, target), origins in ORIGINS.items():
        if Origin.PAYMENTS in origins:
            edges.setdefault(source, []).append(target)
    queue, seen = deque([(from_status, [])]), {from_status}
    while queue:
        status, path = queue.popleft()
        for target in sorted(edges.get(status, [])):
            if target == to_status:
                return path + [target]
            if target not in seen and target not in (Status.CANCELLED, Status.REFUNDED,
                                                     Status.DELIVERED):
                seen.add(target)
                queue.append((target, path + [target]))
    return None


def _counts_as_open(instalment):
    if instalment.kind == K.PREAUTHORISATION and instalment.secured_at:
        return False  # a card hold secures it: the work may run until the capture
    return instalment.state in OPEN_STATES


def money_status(engagement, instalments):
    """The status the money says: overdue, deposit due, balance due, in progress or paid.
    None: no opinion (e.g. a training waiting period with nothing due yet)."""
    live = [i for i in instalments if i.state not in (ST.CANCELLED,)]
    if any(i.state == ST.OVERDUE and _counts_as_open(i) for i in live):
        return Status.OVERDUE
    opened = [i for i in live if _counts_as_open(i)]
    if opened:
        if any(i.kind in UPFRONT_KINDS or i.due_trigger in (T.ACCEPTANCE, T.WITHDRAWAL_END)
               for i in opened):
            return Status.DEPOSIT_DUE
        return Status.BALANCE_DUE
    scheduled = [i for i in live if i.state == ST.SCHEDULED]
    if any(i.due_trigger == T.WITHDRAWAL_END for i in scheduled) and (
            engagement.status == Status.ACCEPTED):
        return None  # nothing payable yet: stays "accepted" until the period ends
    if scheduled or any(i.kind == K.PREAUTHORISATION and i.state != ST.PAID for i in live):
        return Status.IN_PROGRESS
    if engagement.payment_model == PaymentModel.PAY_PER_ACT and (
            engagement.status != Status.DELIVERED):
        return Status.IN_PROGRESS  # more acts may come until the expert closes it
    return Status.PAID


def _sync_status(engagement, user=None, note="", instalments=None):
    """Move the engagement, through changes the payments service owns, to what the money
    says. Statuses outside the money flow (withdrawn, cancelled...) are left alone.
    ``engagement``: the row the caller locked (``_lock``) in the transaction it is in; its
    status is trusted, and change_status reuses that lock (no second locked read, no
    savepoint). Should it be stale (changed through another instance meanwhile, e.g. the
    schedule made by ``create_schedule``), change_status writes nothing and the status is
    read again. ``instalments``: the engagement's instalments as they are now, when the
    caller has them."""
    if instalments is None:
        instalments = list(engagement.instalments.order_by("position"))
    try:
        return _sync_status_once(engagement, user, note, instalments)
    except StaleStatus:
        engagement.status = Engagement.objects.filter(pk=engagement.pk).values_list(
            "status", flat=True)[0]
        return _sync_status_once(engagement, user, note, instalments)


def _sync_status_once(engagement, user, note, instalments):
    current = engagement.status
    if current not in PAYABLE_STATUSES:
        return []
    target = money_status(engagement, instalments)
    if target is None or target == current:
        return []
    if current == Status.FORMAL_NOTICE and target in (Status.OVERDUE, Status.BALANCE_DUE,
                                                      Status.DEPOSIT_DUE):
        return []  # the dunning service owns this stage until it is paid
    path = _payments_path(current, target)
    if not path:
        return []
    return [change_status(engagement, status, user=user, note=note, origin=Origin.PAYMENTS,
                          locked=engagement)
            for status in path]


# --- Payments -------------------------------------------------------------------------------

def _existing_payment(provider, provider_payment_id, engagement):
    payment = Payment.objects.filter(provider=provider,
                                     provider_payment_id=provider_payment_id).first()
    if payment is not None and payment.engagement_id != engagement.pk:
        raise PaymentRefused(_("Payment %(id)s from %(provider)s is already recorded on "
                               "another engagement.")
                             % {"id": provider_payment_id, "provider": provider})
    return payment


def record_payment(engagement, *, amount, paid_on, method, reference="", user=None,
                   instalment=None, provider="", provider_payment_id=""):
    """Record money received (see the module docstring); returns the Payment."""
    amount = _amount(amount)
    if isinstance(paid_on, str):
        try:
            paid_on = datetime.date.fromisoformat(paid_on)
        except ValueError:
            raise PaymentRefused(_("The date %(value)s is not a date: write it as YYYY-MM-DD.")
                                 % {"value": paid_on}, "paid_on") from None
    if method not in Payment.Method.values:
        raise PaymentRefused(_("Unknown payment method %(value)s: use one of %(choices)s.")
                             % {"value": method, "choices": ", ".join(Payment.Method.values)},
                             "method")
    # A provider payment already recorded is found under the engagement's lock, first
    # thing in _record_payment (no read before it: a new payment, the usual case, would pay
    # for it twice).
    try:
        with transaction.atomic():
            return _record_payment(engagement, amount, paid_on, method, reference or "", user,
                                   instalment, provider or "", provider_payment_id or "")
    except IntegrityError:
        # A concurrent delivery of the same provider payment won the unique constraint.
        if provider_payment_id:
            existing = _existing_payment(provider, provider_payment_id, engagement)
            if existing is not None:
                return existing
        raise


def _check_payable(locked, paid_on, has_schedule=None):
    if locked.status not in PAYABLE_STATUSES:
        raise PaymentRefused(_("A payment can be recorded once the client has accepted the "
                               "quote and until it is settled; this engagement is "
                               "%(status)s.") % {"status": locked.get_status_display()})
    if has_schedule is None:
        has_schedule = locked.instalments.exists()
    if not has_schedule:
        create_schedule(locked)
    regime = _regime(locked)
    if not regime.is_self_paid_training and regime.first_payment_day(paid_on) is None:
        return  # no waiting period applies: the day the client accepted does not matter
    accepted = accepted_on(locked)
    regime = _regime(locked, accepted)
    if regime.is_self_paid_training:
        end = withdrawal_end(locked, accepted)
        if end and paid_on <= end:
            raise PaymentRefused(_(
                "A self-paid trainee may pay nothing before the %(days)s-day withdrawal "
                "period ends (%(end)s; Labour Code L6353-6): record the payment from "
                "%(first)s.") % {"days": regime.withdrawal_days, "end": end,
                                  "first": end + datetime.timedelta(days=1)}, "paid_on")
    elif accepted and (first := regime.first_payment_day(accepted)) and paid_on < first:
        raise PaymentRefused(_(
            "Nothing may be taken from a consumer before day 7 of an off-premises "
            "contract (Consumer Code L221-10): record the payment from %(first)s.")
            % {"first": first}, "paid_on")


def _targets(locked, instalment, instalments=None):
    if instalments is None:
        instalments = locked.instalments.select_for_update().order_by("position")
    opened = [i for i in instalments if i.state in OPEN_STATES]
    if instalment is None:
        # While an instalment plan runs, money received pays the invoices it covers first.
        from .plans import instalments_under_plan

        planned = instalments_under_plan(locked)
        return [i for i in opened if i.pk in planned] + [i for i in opened
                                                         if i.pk not in planned]
    chosen = [i for i in opened if i.pk == getattr(instalment, "pk", instalment)]
    if not chosen:
        target = locked.instalments.filter(pk=getattr(instalment, "pk", instalment)).first()
        if target is None:
            raise PaymentRefused(_("This instalment belongs to another engagement."),
                                 "instalment")
        raise PaymentRefused(_("“%(label)s” is %(state)s: nothing can be paid on it now.")
                             % {"label": target.label, "state": target.get_state_display()},
                             "instalment")
    return chosen


def _record_payment(engagement, amount, paid_on, method, reference, user, instalment,
                    provider, provider_payment_id):
    locked = _lock(engagement)
    if provider_payment_id:
        # Under the lock: a concurrent delivery that got here first has committed by now.
        existing = _existing_payment(provider, provider_payment_id, locked)
        if existing is not None:
            return existing
    # The instalments, locked, read once: the targets and "work may start" before the
    # payment come from this list.
    instalments = list(locked.instalments.select_for_update().order_by("position"))
    _check_payable(locked, paid_on, has_schedule=bool(instalments))
    if not instalments:  # the schedule was just made
        instalments = list(locked.instalments.select_for_update().order_by("position"))
    targets = _targets(locked, instalment, instalments)
    due_now = sum((i.left_to_pay for i in targets), money.ZERO)
    if due_now <= 0:
        raise PaymentRefused(_("Nothing is due on this engagement now, so no payment can be "
                               "recorded. Mark a milestone done or the service completed "
                               "first, or record an act."), "amount")
    if amount > due_now:
        raise PaymentRefused(_(
            "This payment of %(amount)s is more than what is due now (%(due)s): record at "
            "most %(due)s. If the client paid too much, record %(due)s and refund the rest."
        ) % {"amount": _fmt(amount), "due": _fmt(due_now)}, "amount")
    was_allowed = may_start(locked, instalments=instalments).ok
    payment = Payment.objects.create(
        owner=locked.owner, engagement=locked, amount=amount, paid_on=paid_on, method=method,
        reference=reference[:200], provider=provider, provider_payment_id=provider_payment_id,
        recorded_by=user, recorded_by_label=user.get_username() if user else "")
    left, discounts = amount, []
    for target in targets:
        take = min(left, target.left_to_pay)
        if take <= 0:
            continue
        left -= take
        Allocation.objects.create(payment=payment, instalment=target, amount=take)
        target.paid_amount += take
        if _is_capture(target) and target.paid_amount < target.amount:
            # Capturing less than the card hold settles it: what was captured is what is
            # owed, the rest of the hold is released (a hold is captured once).
            target.amount = target.paid_amount
        elif target.paid_amount < target.amount:
            discount = _early_payment_discount(locked, target, paid_on)
            if discount is not None and target.amount - target.paid_amount <= discount[1]:
                # Paid within the discount period less at most the discount: settled; the
                # discount taken gets its credit note (it reduces the VAT base).
                discounts.append((discount[0], target.amount - target.paid_amount))
                target.amount = target.paid_amount
        target.state = ST.PAID if target.paid_amount >= target.amount else ST.PARTLY_PAID
        target.save(update_fields=["amount", "paid_amount", "state", "updated_at"])
        _invoice_or_wait(locked, target, payment, take)
    for invoice, taken in discounts:
        invoicing.issue_discount_credit_note(locked, invoice, taken,
                                             locked.early_payment_discount_percent, paid_on)
    from .plans import after_payment

    after_payment(locked, paid_on)  # a plan paid in full is completed at once
    # What the status and "work may start" are decided from: the locked list, whose
    # targets were updated in place above (invoices, credit notes and plans change no
    # instalment), so no second read.
    now_instalments = instalments
    _sync_status(locked, user=user, note=_payment_note(payment), instalments=now_instalments)
    _after_payment(locked, payment, was_allowed, instalments=now_instalments)
    return payment


def _is_capture(instalment):
    """Money on a pre-authorisation the card hold secured is the hold's capture."""
    return instalment.kind == K.PREAUTHORISATION and instalment.secured_at is not None


def _early_payment_discount(locked, instalment, paid_on):
    """(invoice, most the client may deduct) when ``paid_on`` is within the early-payment
    discount period of the invoice that asked for ``instalment`` (escompte, in the accepted
    terms: a percentage of what the invoice asks, within N days of its date); else None."""
    percent, days = locked.early_payment_discount_percent, locked.early_payment_discount_days
    if not percent or days is None:
        return None
    invoice = (instalment.invoices.filter(kind__in=invoicing.BILLING_KINDS, payment=None)
               .order_by("-sequence").first())
    if invoice is None or paid_on > invoice.issue_date + datetime.timedelta(days=days):
        return None
    return invoice, money.percent_of(invoice.net, percent)


def _payment_note(payment):
    return f"payment {payment.amount} ({payment.method}) on {payment.paid_on.isoformat()}"


def _invoice_or_wait(engagement, instalment, payment, amount):
    """The invoice due on receipt of this money; when the law forbids issuing it yet (a
    mention missing on its date, e.g. the client's SIREN once the expert is in e-invoicing),
    the money is still recorded, with its status effects, and the invoice waits: the ledger
    tells the expert what to fill in, and ``issue_waiting_invoices`` issues it then. A
    provider's webhook is never answered with an error for it (it would retry for days)."""
    try:
        return _invoice_on_receipt(engagement, instalment, payment, amount,
                                   completed=instalment.state == ST.PAID, on=payment.paid_on)
    except InvoiceNotIssuable as exc:
        # Refused before a number was taken or anything written (invoicing.issue).
        logger.warning("Invoice for payment %s of engagement %s waits: %s", payment.pk,
                       engagement.pk, "; ".join(path for path, _why in exc.problems))
        return []


def _invoice_on_receipt(engagement, instalment, payment, amount, *, completed, on):
    """Money received before the service is invoiced at once (CGI 289 I-1-c); a prepaid
    service fully paid (``completed``: this money settled it) gets its (final) invoice,
    which deducts the earlier deposit invoices. ``on``: the issue date (the day the money
    was received, or the later day a waiting invoice is issued)."""
    if instalment.kind == K.DEPOSIT:
        return [invoicing.issue_deposit_invoice(engagement, instalment, payment, amount,
                                                payment.paid_on, issue_date=on)]
    if instalment.kind in (K.FULL, K.CREDIT_PACK, K.PREAUTHORISATION):
        if completed:
            # A hold captured for less is invoiced for what was captured: nothing was
            # invoiced at the hold (no money received, CGI 289 I-1-c), so no credit note.
            total = engagement.totals.total_incl_vat
            billed = None
            if instalment.kind == K.PREAUTHORISATION and instalment.amount < total:
                billed = instalment.amount
            return [invoicing.issue_final_invoice(engagement, instalment, on,
                                                  payment=payment, amount=billed)]
        return [invoicing.issue_deposit_invoice(engagement, instalment, payment, amount,
                                                payment.paid_on, issue_date=on)]
    return []  # milestones, balances and acts were invoiced when they fell due


def _waiting_allocations():
    """Money received on an instalment invoiced on receipt, with no invoice of its own yet.

    Derived, not stored: each such allocation gets exactly one invoice naming its payment
    and instalment (a deposit, or the final invoice of a prepaid service), so one with none
    is an invoice that could not be issued (``_invoice_or_wait``); it stops waiting when
    that invoice exists."""
    own_invoice = Invoice.objects.filter(payment=OuterRef("payment"),
                                         instalment=OuterRef("instalment"),
                                         kind__in=invoicing.BILLING_KINDS)
    return (Allocation.objects.filter(refund=None, amount__gt=0,
                                      instalment__kind__in=INVOICED_ON_RECEIPT)
            .filter(~Exists(own_invoice)))


def invoices_waiting(engagement):
    """The allocations whose invoice waits to be issued, oldest first (with their payment
    and instalment), for the ledger and ``issue_waiting_invoices``."""
    return list(_waiting_allocations().filter(instalment__engagement=engagement)
                .select_related("payment", "instalment").order_by("pk"))


def waiting_problems(engagement, on=None):
    """(spec field, what to fill in) that keeps the waiting invoices from being issued on
    ``on`` (today), in the active language; empty when they can be issued now."""
    try:
        invoicing.ensure_einvoicing_mentions(engagement, on or timezone.localdate())
    except InvoiceNotIssuable as exc:
        return exc.problems
    return []


def issue_waiting_invoices(engagement, *, on=None):
    """Issue the invoices that waited for a missing mention, dated ``on`` (today: the
    sequence stays chronological), each stating when its money was received. Returns them.

    Idempotent and safe twice at once: under the engagement's lock, an invoice issued
    meanwhile no longer waits. Raises InvoiceNotIssuable while a mention is still missing
    (nothing is issued, no number taken)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(engagement)
        issued = []
        for allocation in invoices_waiting(locked):
            instalment = allocation.instalment
            # A prepaid service is settled by its last payment: that one's invoice is final.
            completed = instalment.state == ST.PAID and not (
                instalment.kind != K.DEPOSIT and Allocation.objects.filter(
                    instalment=instalment, refund=None, amount__gt=0,
                    pk__gt=allocation.pk).exists())
            issued += _invoice_on_receipt(locked, instalment, allocation.payment,
                                          allocation.amount, completed=completed, on=on)
        return issued


def issue_waiting_invoices_of_client(client_id):
    """After a client's details were saved (a SIREN filled in): issue what waited on them.
    Engagements still missing a mention keep waiting (logged). Returns the invoices."""
    engagement_ids = (_waiting_allocations()
                      .filter(instalment__engagement__client_id=client_id)
                      .values_list("instalment__engagement_id", flat=True).distinct())
    issued = []
    for engagement_id in sorted(set(engagement_ids)):
        try:
            issued += issue_waiting_invoices(Engagement(pk=engagement_id))
        except InvoiceNotIssuable as exc:
            logger.info("Invoices of engagement %s still wait: %s", engagement_id,
                        "; ".join(path for path, _why in exc.problems))
    return issued


# --- Expert actions -------------------------------------------------------------------------

def _upfront_unpaid(locked):
    return [i for i in locked.instalments.all()
            if i.kind in UPFRONT_KINDS and i.state not in (ST.PAID, ST.CANCELLED, ST.REFUNDED)
            and not (i.kind == K.PREAUTHORISATION and i.secured_at)]


def _fall_due(locked, instalment, on, user=None):
    """An instalment falls due: its invoice when it is billed then, its due date, its state."""
    invoices = []
    if instalment.kind in (K.MILESTONE, K.BALANCE):
        due = due_after_invoice(locked, on)
        later = locked.instalments.filter(
            kind__in=[K.MILESTONE, K.BALANCE], state=ST.SCHEDULED,
            position__gt=instalment.position).exists()
        if instalment.kind == K.MILESTONE and later:
            invoice = invoicing.issue_milestone_invoice(locked, instalment, on, due)
        else:
            invoice = invoicing.issue_final_invoice(locked, instalment, on, due_date=due)
        invoices.append(invoice)
        instalment.amount = invoice.net  # equal by construction; the invoice is the record
        instalment.due_date = due
    elif instalment.due_date is None:
        instalment.due_date = on
    instalment.state = ST.PAID if instalment.amount <= instalment.paid_amount else ST.DUE
    instalment.save(update_fields=["amount", "due_date", "state", "updated_at"])
    return invoices


def mark_milestone_done(engagement, milestone, *, user=None, on=None):
    """The expert marks a milestone done: its invoice is issued and falls due."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(engagement)
        instalment = locked.instalments.select_for_update().filter(
            milestone_id=getattr(milestone, "pk", milestone)).first()
        if instalment is None:
            raise PaymentRefused(_("This milestone is not in the engagement's payment "
                                   "schedule."), "milestone")
        if instalment.state != ST.SCHEDULED or instalment.due_trigger != T.MILESTONE_DONE:
            raise PaymentRefused(_("“%(label)s” was already marked done or falls due on its "
                                   "own date.") % {"label": instalment.label}, "milestone")
        earlier = locked.instalments.filter(kind=K.MILESTONE, state=ST.SCHEDULED,
                                            position__lt=instalment.position).first()
        if earlier is not None:
            raise PaymentRefused(_("Mark “%(label)s” done first: milestones are invoiced in "
                                   "order.") % {"label": earlier.label}, "milestone")
        if _upfront_unpaid(locked):
            raise PaymentRefused(_("The deposit is not paid yet: record it before invoicing "
                                   "a milestone."), "milestone")
        invoices = _fall_due(locked, instalment, on, user)
        _sync_status(locked, user=user, note=f"milestone done: {instalment.label}")
        return invoices[0]


def mark_completed(engagement, *, user=None, on=None):
    """The service is completed: the balance is invoiced (final invoice) and falls due; a
    pay-per-act engagement is closed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(engagement)
        if locked.status not in PAYABLE_STATUSES:
            raise PaymentRefused(_("Only an accepted engagement in progress can be completed "
                                   "(this one is %(status)s).")
                                 % {"status": locked.get_status_display()})
        pending = list(locked.instalments.select_for_update().filter(
            state=ST.SCHEDULED, due_trigger=T.COMPLETION))
        if locked.instalments.filter(state=ST.SCHEDULED, due_trigger=T.MILESTONE_DONE).exists():
            raise PaymentRefused(_("Mark each milestone done instead: the last one issues the "
                                   "final invoice."))
        invoices = []
        for instalment in pending:
            invoices += _fall_due(locked, instalment, on, user)
        if locked.payment_model == PaymentModel.PAY_PER_ACT and locked.status in (
                Status.IN_PROGRESS,):
            change_status(locked, Status.DELIVERED, user=user, note="service completed",
                          origin=Origin.PAYMENTS)
        _sync_status(locked, user=user, note="service completed")
        return invoices


def credit_summary(engagement, instalments=None, uses=None):
    """Time credit (hours) or acts: bought, used, left, and the value of what is left."""
    if engagement.payment_model == PaymentModel.PAY_PER_ACT:
        used = sum((u.quantity for u in (uses if uses is not None
                                         else engagement.credit_uses.all())), Decimal("0"))
        return {"unit": "acts", "bought": None, "used": used, "left": None, "left_value": None}
    if engagement.payment_model != PaymentModel.TIME_CREDIT:
        return None
    bought = engagement.time_credit_hours or Decimal("0")
    used = sum((u.quantity for u in (uses if uses is not None
                                     else engagement.credit_uses.all())), Decimal("0"))
    left = bought - used
    total = engagement.totals.total_incl_vat
    value = money.to_cents(total * left / bought) if bought else money.ZERO
    return {"unit": "hours", "bought": bought, "used": used, "left": left, "left_value": value}


def record_credit_use(engagement, *, quantity, used_on=None, note="", user=None):
    """A session consumed from a time-credit pack (hours)."""
    used_on = used_on or timezone.localdate()
    try:
        quantity = Decimal(str(quantity).replace(",", "."))
    except InvalidOperation:
        raise PaymentRefused(_("The hours must be a number, e.g. 1.5."), "quantity") from None
    with transaction.atomic():
        locked = _lock(engagement)
        if locked.payment_model != PaymentModel.TIME_CREDIT:
            raise PaymentRefused(_("This engagement has no time credit."))
        if not quantity.is_finite() or quantity <= 0:
            raise PaymentRefused(_("The hours used must be above 0."), "quantity")
        pack = locked.instalments.filter(kind=K.CREDIT_PACK).first()
        if pack is None or pack.state != ST.PAID:
            raise PaymentRefused(_("The pack is not paid yet: a pack is paid before its "
                                   "sessions are given."), "quantity")
        summary = credit_summary(locked)
        if quantity > summary["left"]:
            raise PaymentRefused(_("Only %(left)s hour(s) are left on the pack; this session "
                                   "needs %(asked)s.")
                                 % {"left": summary["left"], "asked": quantity}, "quantity")
        return CreditUse.objects.create(engagement=locked, used_on=used_on, quantity=quantity,
                                        note=note[:300], instalment=pack, recorded_by=user)


def record_act(engagement, *, used_on=None, note="", user=None):
    """An act of a pay-per-act engagement (S4): its invoice is issued and it falls due.
    The previous act must be paid first (each act is paid before the next is provided)."""
    used_on = used_on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(engagement)
        if locked.payment_model != PaymentModel.PAY_PER_ACT:
            raise PaymentRefused(_("This engagement is not paid per act."))
        if locked.status not in (Status.ACCEPTED, Status.IN_PROGRESS, Status.BALANCE_DUE):
            raise PaymentRefused(_("Acts can be recorded while the engagement is in progress "
                                   "(this one is %(status)s).")
                                 % {"status": locked.get_status_display()})
        unpaid = locked.instalments.filter(kind=K.ACT, state__in=OPEN_STATES).first()
        if unpaid is not None:
            raise PaymentRefused(_("The previous act (“%(label)s”) is not paid yet: record "
                                   "its payment first.") % {"label": unpaid.label})
        count = locked.instalments.filter(kind=K.ACT).count() + 1
        with translation.override(locked.language):
            label = _("Act %(n)s") % {"n": count} + (f" · {note}" if note else "")
        instalment = Instalment.objects.create(
            engagement=locked, position=_next_position(locked), kind=K.ACT, label=label[:200],
            amount=locked.totals.total_incl_vat, due_trigger=T.ACT, due_date=used_on,
            state=ST.DUE)
        invoicing.issue_final_invoice(locked, instalment, used_on, due_date=used_on,
                                        kind=InvoiceKind.ACT)
        CreditUse.objects.create(engagement=locked, used_on=used_on, quantity=Decimal("1"),
                                 note=note[:300], instalment=instalment, recorded_by=user)
        _sync_status(locked, user=user, note=f"act recorded: {label}")
        return instalment


def issue_payment_receipt(payment, *, on=None):
    """A payment receipt on request (one per payment; a second request returns it)."""
    with transaction.atomic():
        locked = _lock(payment.engagement)
        existing = Invoice.objects.filter(payment=payment, kind=InvoiceKind.RECEIPT).first()
        if existing is not None:
            return existing
        receipt = invoicing.issue_receipt(locked, payment, on)
        return receipt


# --- Refunds --------------------------------------------------------------------------------

def refund_payment(payment, *, amount, reason, user=None, provider_refund_id="",
                   refunded_on=None):
    """Give back ``amount`` of ``payment``; returns the Refund (credit note attached)."""
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRefused(_("Say why the money is given back: the reason is printed on "
                               "the credit note."), "reason")
    refunded_on = refunded_on or timezone.localdate()
    provider = payment.provider
    if provider_refund_id:
        existing = Refund.objects.filter(provider=provider,
                                         provider_refund_id=provider_refund_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _refund(payment, amount, reason, user, provider, provider_refund_id,
                           refunded_on)
    except IntegrityError:
        if provider_refund_id:
            existing = Refund.objects.filter(provider=provider,
                                             provider_refund_id=provider_refund_id).first()
            if existing is not None:
                return existing
        raise


def _refund(payment, amount, reason, user, provider, provider_refund_id, refunded_on):
    locked = _lock(payment.engagement)
    if provider_refund_id:
        existing = Refund.objects.filter(provider=provider,
                                         provider_refund_id=provider_refund_id).first()
        if existing is not None:
            return existing
    already = payment.refunds.aggregate(total=Sum("amount"))["total"] or money.ZERO
    refundable = payment.amount - already
    if amount > refundable:
        raise PaymentRefused(_("At most %(left)s of this payment can still be refunded "
                               "(%(amount)s asked).")
                             % {"left": _fmt(refundable), "amount": _fmt(amount)}, "amount")
    refund = Refund.objects.create(
        owner=locked.owner, engagement=locked, payment=payment, amount=amount,
        reason=reason[:500], refunded_on=refunded_on, provider=provider,
        provider_refund_id=provider_refund_id, recorded_by=user,
        recorded_by_label=user.get_username() if user else "")
    # What this payment still holds on each instalment, given back latest instalment first.
    held = {}
    for allocation in payment.allocations.order_by("pk"):
        held[allocation.instalment_id] = held.get(allocation.instalment_id, money.ZERO) + (
            allocation.amount)
    left = amount
    for instalment_id in sorted(held, reverse=True):
        take = min(left, held[instalment_id])
        if take <= 0:
            continue
        left -= take
        instalment = Instalment.objects.select_for_update().get(pk=instalment_id)
        Allocation.objects.create(payment=payment, refund=refund, instalment=instalment,
                                  amount=-take)
        instalment.paid_amount -= take
        if instalment.paid_amount <= 0 and instalment.state == ST.PAID:
            instalment.state = ST.REFUNDED  # given back: no longer owed either
        elif instalment.paid_amount <= 0 and instalment.state == ST.PARTLY_PAID:
            instalment.state = ST.DUE
        instalment.save(update_fields=["paid_amount", "state", "updated_at"])
        if left <= 0:
            break
    corrected = _invoice_to_correct(locked, payment)
    if corrected is not None:
        note = invoicing.issue_credit_note(locked, corrected, amount, reason, refunded_on)
        Refund.objects.filter(pk=refund.pk).update(credit_note=note)
        refund.credit_note = note
    current = Engagement.objects.filter(pk=locked.pk).values_list("status", flat=True)[0]
    if current in (Status.PAID, Status.WITHDRAWN, Status.CANCELLED):
        change_status(locked, Status.REFUNDED, user=user, note=f"refund {amount}: {reason}",
                      origin=Origin.PAYMENTS)
    return refund


def _invoice_to_correct(engagement, payment):
    """The invoice that billed this money: the one issued on its receipt, else the latest
    invoice of the instalments it paid, else the latest invoice of the engagement."""
    billing = invoicing.BILLING_KINDS
    own = payment.invoices.filter(kind__in=billing).order_by("-sequence").first()
    if own is not None:
        return own
    instalments = payment.allocations.values_list("instalment_id", flat=True)
    return (Invoice.objects.filter(instalment_id__in=instalments, kind__in=billing)
            .order_by("-issue_date", "-sequence").first()
            or Invoice.objects.filter(engagement=engagement, kind__in=billing)
            .order_by("-issue_date", "-sequence").first())


def credit_valid_until(engagement):
    """The last day of a time credit: the acceptance day plus its validity in months."""
    accepted = accepted_on(engagement)
    months = engagement.time_credit_validity_months
    if accepted is None or not months:
        return None
    return schedule.add_months(accepted, months)


def refund_unused_credit(engagement, *, reason=None, user=None, refunded_on=None):
    """The client cancels the pack: the hours left are refunded pro rata with a credit note.

    Whatever the accepted terms say about unused hours, a cancellation before the end of
    the validity period is refunded pro rata: "kept" only covers hours the client let
    expire; keeping the money of a pack the client gives up, without a reciprocal
    indemnity, is the clause C. conso R212-2 2° presumes unfair. Idempotent: a second call
    returns the first refund. Returns the Refund.
    """
    return _close_credit(engagement, expiry=False, reason=reason, user=user,
                         on=refunded_on).refund


def close_expired_credit(engagement, *, user=None, on=None):
    """The validity period is over: close the credit as the accepted terms say.

    "refunded": the hours left are refunded pro rata (with a credit note); "kept": nothing
    is refunded and the closure records the hours that expired. Idempotent: returns the
    existing closure. Returns the CreditClosure.
    """
    return _close_credit(engagement, expiry=True, reason=None, user=user, on=on)


def _close_credit(engagement, *, expiry, reason, user, on):
    on = on or timezone.localdate()
    try:
        with transaction.atomic():
            locked = _lock(engagement)
            closed = CreditClosure.objects.filter(engagement=locked).first()
            if closed is not None and not expiry and closed.refund_id is None:
                raise PaymentRefused(_("The credit was closed on %(date)s: under the accepted "
                                       "terms the hours left expired, nothing is refunded.")
                                     % {"date": _fmt_date(closed.closed_on)})
            if closed is not None:
                return closed  # already closed: once only (a retry, a double click)
            summary = credit_summary(locked)
            if not summary or summary["unit"] != "hours":
                raise PaymentRefused(_("This engagement has no time credit."))
            keeps = _credit_kept(locked, expiry, on)
            left = summary["left"]
            refund = None
            if not keeps:
                if left <= 0:
                    raise PaymentRefused(_("No unused credit is left to refund."))
                payment = (Payment.objects.filter(engagement=locked,
                                                  allocations__instalment__kind=K.CREDIT_PACK)
                           .order_by("-pk").first())
                if payment is None:
                    raise PaymentRefused(_("The pack was never paid: there is nothing to "
                                           "refund."))
                reason = (reason or "").strip() or _(
                    "Time credit: %(hours)s unused hour(s) refunded pro rata") % {"hours": left}
                refund = _refund(payment, summary["left_value"], reason, user,
                                 payment.provider, "", on)
            return CreditClosure.objects.create(
                engagement=locked, hours_left=max(left, Decimal("0")), closed_on=on,
                outcome=CreditClosure.Outcome.EXPIRED if keeps else CreditClosure.Outcome.REFUNDED,
                refund=refund, recorded_by=user)
    except IntegrityError:
        # Another request closed it between our read and our insert: that closure stands.
        closed = CreditClosure.objects.filter(engagement=engagement).first()
        if closed is None:
            raise
        return closed


def _credit_kept(engagement, expiry, on):
    """Whether the hours left stay with the expert (no refund), or refuse the request."""
    ends = credit_valid_until(engagement)
    expired = ends is not None and on > ends
    kept_terms = engagement.unused_credit == UnusedCredit.KEPT
    if expiry and ends is None:
        raise PaymentRefused(_("The credit has no end date (no acceptance or no validity "
                               "period): it cannot be closed as expired."))
    if expiry and not expired:
        raise PaymentRefused(_("The credit is valid until %(end)s: it cannot be closed as "
                               "expired before then; a cancellation is refunded pro rata.")
                             % {"end": _fmt_date(ends)})
    if not expiry and expired and kept_terms:
        raise PaymentRefused(_("The credit expired on %(end)s and the accepted terms keep the "
                               "hours left: close the expired credit instead of refunding it.")
                             % {"end": _fmt_date(ends)})
    return expiry and kept_terms


# --- Card holds (providers) -----------------------------------------------------------------

def secure_instalment(instalment, *, reference, user=None):
    """A card hold secures a pre-authorisation instalment (work may start). Idempotent."""
    with transaction.atomic():
        locked = _lock(instalment.engagement)
        target = Instalment.objects.select_for_update().get(pk=instalment.pk)
        was_allowed = may_start(locked).ok
        if target.secured_at is None:
            target.secured_at = timezone.now()
            target.secured_reference = reference[:255]
            target.save(update_fields=["secured_at", "secured_reference", "updated_at"])
            _sync_status(locked, user=user, note="card hold placed")
            if not was_allowed:
                _notify_if_may_start(locked)
        return target


def release_instalment(instalment, *, user=None):
    """The hold was released or expired: the instalment is no longer secured."""
    with transaction.atomic():
        locked = _lock(instalment.engagement)
        target = Instalment.objects.select_for_update().get(pk=instalment.pk)
        if target.secured_at is not None:
            target.secured_at = None
            target.save(update_fields=["secured_at", "updated_at"])
            _sync_status(locked, user=user, note="card hold released")
        return target


# --- Work may start ----------------------------------------------------------------------------

def may_start(engagement, on=None, instalments=None):
    """Whether the work may start, and why not (in the active language)."""
    on = on or timezone.localdate()
    reasons = []
    status = engagement.status
    if status in (Status.DRAFT, Status.SENT, Status.DECLINED, Status.EXPIRED, Status.SUPERSEDED):
        return MayStart(False, [_("The client has not accepted the quote.")])
    if status in (Status.WITHDRAWN, Status.CANCELLED, Status.REFUNDED):
        return MayStart(False, [_("The contract was withdrawn or cancelled.")])
    instalments = list(instalments if instalments is not None
                       else engagement.instalments.order_by("position"))
    for instalment in instalments:
        if instalment.kind in UPFRONT_KINDS and instalment.state not in (
                ST.PAID, ST.CANCELLED, ST.REFUNDED):
            if instalment.kind == K.PREAUTHORISATION:
                if not instalment.secured_at:
                    reasons.append(_("The card pre-authorisation is not in place yet."))
            else:
                reasons.append(_("“%(label)s” (%(amount)s) is not paid yet.")
                               % {"label": instalment.label,
                                  "amount": _fmt(instalment.left_to_pay)})
    regime = _regime(engagement)
    if regime.has_withdrawal_right:
        accepted = accepted_on(engagement)
        end = withdrawal_end(engagement, accepted) if accepted else None
        if end and on <= end:
            if regime.is_self_paid_training:
                reasons.append(_("The trainee's %(days)s-day withdrawal period runs until "
                                 "%(end)s: the training may start after it.")
                               % {"days": regime.withdrawal_days, "end": _fmt_date(end)})
            elif not _early_start_consented(engagement):
                reasons.append(_("The withdrawal period runs until %(end)s and the client did "
                                 "not expressly ask for an early start.")
                               % {"end": _fmt_date(end)})
    return MayStart(not reasons, reasons)


def _early_start_consented(engagement):
    import json

    record = _acceptance_record(engagement)
    if record is None:
        return False
    consents = json.loads(record.payload).get("consents", [])
    return any(c.get("key") == "early_start" and c.get("checked") for c in consents)


# --- The daily sweep --------------------------------------------------------------------------

def payments_sweep(on=None):
    """Daily: instalments that fall due (a date in the terms) or go overdue on ``on``.

    Each engagement is handled in its own transaction under its row lock, re-reading its
    instalments there: running twice, or two runners at once, changes nothing more.
    Returns {"fell_due": n, "overdue": n, "engagements": n}.
    """
    on = on or timezone.localdate()
    candidates = (Instalment.objects.filter(
        Q(state=ST.SCHEDULED, due_date__lte=on) | Q(state__in=[ST.DUE, ST.PARTLY_PAID],
                                                    due_date__lt=on))
        .values_list("engagement_id", flat=True).distinct())
    counts = {"fell_due": 0, "overdue": 0, "engagements": 0}
    for engagement_id in sorted(set(candidates)):
        try:
            with transaction.atomic():
                _sweep_one(engagement_id, on, counts)
        except Exception:
            logger.exception("Payments sweep failed for engagement %s", engagement_id)
    # Instalment plans: kept, missed (dunning resumes) or completed (services/plans.py).
    from .plans import check_plans

    check_plans(on)
    return counts


def _sweep_one(engagement_id, on, counts):
    locked = _lock(Engagement(pk=engagement_id))
    if locked.status not in PAYABLE_STATUSES:
        return
    was_allowed = may_start(locked, on).ok
    touched = False
    for instalment in locked.instalments.select_for_update().order_by("position"):
        if instalment.state == ST.SCHEDULED and instalment.due_date and (
                instalment.due_date <= on):
            _fall_due(locked, instalment, instalment.due_date)
            counts["fell_due"] += 1
            touched = True
        if instalment.state in (ST.DUE, ST.PARTLY_PAID) and instalment.due_date and (
                instalment.due_date < on):
            instalment.state = ST.OVERDUE
            instalment.save(update_fields=["state", "updated_at"])
            counts["overdue"] += 1
            touched = True
    if touched:
        counts["engagements"] += 1
        _sync_status(locked, note=f"payments sweep {on.isoformat()}")
    if not was_allowed:
        _notify_if_may_start(locked, on)


# --- E-mails ----------------------------------------------------------------------------------

def _client_language(engagement):
    return engagement.client.language or engagement.language or "fr"


def _send_mail(subject, template, context, to, lang, attachments=(), *, engagement=None,
               related=None):
    """Through the mail adapter, which records it (callers already wait for the commit).
    Without ``engagement`` the record has no owner: pass it at every call site."""
    from .acceptance import _from_email
    from .mail import send_recorded

    with translation.override(lang):
        body = render_to_string(f"terms_kit/client/email/{template}.txt", context)
    return send_recorded(
        owner=engagement.owner if engagement is not None else None, engagement=engagement,
        to=to, subject=subject, body=body, language=lang, kind=template,
        attachments=attachments, related=related, from_email=_from_email(), immediately=True)


def _read_pdf(invoice):
    document = invoice.document
    if document is None:
        return None
    with document.pdf.storage.open(document.pdf.name, "rb") as handle:
        return handle.read()


def deliver_invoice(invoice_id):
    """The make_invoice_document task: the invoice's document is made (once), then the
    invoice, receipt or credit note is e-mailed with its PDF to the client, in the client's
    language, after that commit. A run that finds the document made sends nothing: the run
    that made it sent it. Returns the new document's pk, or None."""
    document = invoicing.make_document(invoice_id)
    if document is None:
        return None
    invoice = (Invoice.objects.select_related("engagement__client", "engagement__identity")
               .get(pk=invoice_id))
    transaction.on_commit(lambda: _send_invoice(invoice))
    return document.pk


def _send_invoice(invoice):
    engagement = invoice.engagement
    if not engagement.client.email:
        return
    lang = _client_language(engagement)
    to, seller = [engagement.client.email], str(engagement.identity)
    with translation.override(lang):
        subject = _("%(kind)s %(number)s from %(seller)s") % {
            "kind": invoice.get_kind_display(), "number": invoice.number, "seller": seller}
        context = {
            "kind": invoice.get_kind_display(), "number": invoice.number,
            "quote": engagement.number, "seller": seller,
            "amount": _fmt(invoice.net, lang), "is_credit_note": invoice.is_credit_note,
            "is_receipt": invoice.kind == InvoiceKind.RECEIPT,
            "due_date": invoice.due_date, "iban": engagement.identity.iban,
            "bic": engagement.identity.bic,
            "paid": invoice.kind == InvoiceKind.DEPOSIT or invoice.payment_id is not None,
        }
    pdf = _read_pdf(invoice)
    attachments = [(f"{invoice.number}.pdf", pdf)] if pdf else []
    _send_mail(subject, "invoice", context, to, lang, attachments, engagement=engagement,
               related=invoice)


def _after_payment(engagement, payment, was_allowed, instalments=None):
    """E-mails that follow a payment, sent by tasks after the commit (never in a webhook's
    request): the client's confirmation, and the expert's "work may start"."""
    from ..tasks import mail_payment_received

    if engagement.client.email:
        transaction.on_commit(lambda: mail_payment_received.enqueue(payment.pk))
    if not was_allowed:
        _notify_if_may_start(engagement, instalments=instalments)


def send_payment_received(payment_id):
    """The mail_payment_received task: the client's confirmation, in the client's language."""
    payment = (Payment.objects.select_related("engagement__client", "engagement__identity")
               .get(pk=payment_id))
    engagement = payment.engagement
    if not engagement.client.email:
        return
    lang = _client_language(engagement)
    with translation.override(lang):
        subject = _("Payment received: %(number)s") % {"number": engagement.number}
        context = {"number": engagement.number, "seller": str(engagement.identity),
                   "amount": _fmt(payment.amount, lang), "paid_on": payment.paid_on}
    _send_mail(subject, "payment_received", context, [engagement.client.email], lang,
               engagement=engagement, related=payment)


def _notify_if_may_start(engagement, on=None, instalments=None):
    """E-mail the expert once, when "work may start" turns true (the notice's unique key
    makes it once; the e-mail is sent by a task after the commit)."""
    from ..tasks import mail_work_may_start

    if not may_start(engagement, on, instalments=instalments).ok:
        return
    # Every caller holds the engagement's row lock: a read then an insert is race-free
    # here (and the notice's unique key still refuses a second one), with no savepoint.
    if WorkStartNotice.objects.filter(engagement=engagement).exists():
        return
    WorkStartNotice.objects.create(engagement=engagement)
    from ..signals import work_may_start

    # Once per engagement (the notice is unique): an online booking is confirmed on it.
    transaction.on_commit(lambda: work_may_start.send(sender=Engagement, engagement=engagement))
    if not engagement.identity.email:
        return
    transaction.on_commit(lambda: mail_work_may_start.enqueue(engagement.pk))


def send_work_may_start(engagement_id):
    """The mail_work_may_start task: the expert is told, in the engagement's language."""
    engagement = (Engagement.objects.select_related("client", "identity")
                  .get(pk=engagement_id))
    email = engagement.identity.email
    if not email:
        return
    lang = engagement.language or "fr"
    with translation.override(lang):
        subject = _("Work may start: %(number)s") % {"number": engagement.number}
        context = {"number": engagement.number, "title": engagement.title,
                   "client": engagement.client.name}
    _send_mail(subject, "work_may_start", context, [email], lang, engagement=engagement)


# --- Withdrawal and cancellation ----------------------------------------------------------------

def cancel_open_instalments(engagement):
    """A withdrawn or cancelled contract owes nothing more: what is not paid is cancelled
    (money already received stays recorded, for a refund). Idempotent."""
    with transaction.atomic():
        locked = _lock(engagement)
        if locked.status not in (Status.WITHDRAWN, Status.CANCELLED):
            return 0
        return locked.instalments.filter(
            state__in=[ST.SCHEDULED, ST.DUE, ST.PARTLY_PAID, ST.OVERDUE]
        ).update(state=ST.CANCELLED, updated_at=timezone.now())
