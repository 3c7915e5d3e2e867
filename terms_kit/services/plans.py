"""Instalment plans (échéanciers): the only code that offers, accepts and follows them.

Contract:

- ``even_split(debt, count, first_date)`` -> [(date, amount)]: the default proposal, one
  instalment a month from ``first_date``, each ``debt / count`` rounded down to the cent and
  the last one taking the remaining cents (1 000.00 in 3: 333.33, 333.33, 333.34).
- ``covered_debt(invoices, on)``: what is left to pay on them, incl. VAT.
- ``offer_plan(engagement, *, invoices, instalments, user, base_url=None, today=None)`` ->
  SentPlan(plan, link, token, url). Checks everything first (``PlanRefused`` lists each
  problem, nothing is stored); then, in one transaction: the plan and its number, its document
  (DOCX + PDF/A, issued and hashed like every document), a client link that carries the plan,
  and the e-mail to the client.
- ``withdraw_plan(plan, user)``: an offer not yet accepted is withdrawn, its links revoked.
- ``accept_plan(link, *, ticked, full_name, ip_address, user_agent, token=None,
  session_proof=None)``: the client accepts through the acceptance flow (the browser's e-mail
  code, the consent sentence stored verbatim, a chained consent record, a sealed pack); the
  dunning of the covered invoices pauses (source "plan"). A second acceptance raises
  AlreadyDone (plan row lock + a one-to-one PlanAcceptance).
- ``progress(plan, on=None)``: each plan instalment with what it has received. Payments are
  recorded as always (Payment, Allocation to the covered invoices' instalments); what the
  covered invoices received since the plan was offered pays the plan's instalments in order.
- ``check_plans(on=None)``: daily, from the payments sweep. A plan whose instalment is unpaid
  after its due date is "missed": the pause ends, dunning resumes from that instalment's due
  date (``ladder_base``), the expert is told. A plan fully paid is "completed". Idempotent;
  each plan is handled under its engagement's row lock.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import money
from ..acceptance import pack
from ..acceptance.consents import Consent
from ..conf import app_settings
from ..documents.hashing import json_sha256
from ..exceptions import AlreadyDone, LinkInvalid, PlanRefused, TermsKitError
from ..models import (
    AccessLink,
    ConsentKind,
    Engagement,
    InstalmentPlan,
    Invoice,
    PlanAcceptance,
    PlanEvent,
    PlanInstalment,
    PlanInvoice,
    PlanState,
)
from ..models.plans import LIVE_STATES, RUNNING_STATES
from ..payments.schedule import add_months
from ..status import Status
from . import acceptance
from .documents import issue_document
from .invoicing import BILLING_KINDS
from .numbering import format_number, take_next_number

logger = logging.getLogger(__name__)

MAX_INSTALMENTS = 36
PAUSE_SOURCE = "plan"
# Statuses in which an engagement has invoices a client may owe.
OWING_STATUSES = (Status.ACCEPTED, Status.DEPOSIT_DUE, Status.IN_PROGRESS, Status.DELIVERED,
                  Status.BALANCE_DUE, Status.OVERDUE, Status.FORMAL_NOTICE)

S = PlanState


def _fmt(amount, lang=None):
    from ..documents.formatting import money as format_money

    return format_money(amount, lang or translation.get_language() or "en")


def _fmt_date(value, lang=None):
    from ..documents.formatting import date as format_date

    return format_date(value, lang or translation.get_language() or "en")


# --- Figures --------------------------------------------------------------------------------

def outstanding(invoice, on=None):
    """Left to pay on one invoice, incl. VAT (what its instalment still waits for)."""
    from ..dunning.receivables import outstanding as receivable

    return receivable(invoice, on or timezone.localdate())


def covered_debt(invoices, on=None):
    return sum((outstanding(invoice, on) for invoice in invoices), money.ZERO)


def even_split(debt, count, first_date):
    """The default proposal: ``count`` monthly instalments from ``first_date``; each is the
    debt divided by ``count`` rounded down to the cent, the last one takes what remains."""
    debt, count = Decimal(debt), int(count)
    if count < 1:
        raise PlanRefused({"count": _("Choose at least one instalment.")})
    share = (debt / count).quantize(money.CENT, rounding=ROUND_DOWN)
    rows = [(add_months(first_date, i), share) for i in range(count)]
    rows[-1] = (rows[-1][0], debt - share * (count - 1))
    return rows


def _amount(value):
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def live_plan_of(invoice, exclude=None):
    plans = InstalmentPlan.objects.filter(covered__invoice=invoice, state__in=LIVE_STATES)
    if exclude is not None:
        plans = plans.exclude(pk=exclude.pk)
    return plans.first()


def validate(engagement, invoices, instalments, today=None):
    """Check an offer; returns (invoices, [(date, amount)], debt, {invoice pk: outstanding}).

    Raises PlanRefused with every problem found (field -> message); nothing is stored."""
    today = today or timezone.localdate()
    errors = {}
    if engagement.status not in OWING_STATUSES:
        errors["engagement"] = _(
            "An instalment plan is offered on an accepted engagement with unpaid invoices; "
            "this one is %(status)s.") % {"status": engagement.get_status_display()}
    chosen, owed = [], {}
    if not invoices:
        errors["invoices"] = _("Choose at least one unpaid invoice for the plan to cover.")
    for item in invoices or ():
        invoice = item if isinstance(item, Invoice) else (
            Invoice.objects.filter(pk=item).first())
        if invoice is None or invoice.owner_id != engagement.owner_id:
            errors["invoices"] = _(
                "Invoice %(ref)s is not one of your invoices: a plan covers only invoices of "
                "its own engagement.") % {"ref": getattr(invoice, "pk", item) if invoice is None
                                           else f"#{invoice.pk}"}
            continue
        if invoice.engagement_id != engagement.pk:
            errors["invoices"] = _(
                "Invoice %(number)s belongs to another engagement (%(other)s): offer a "
                "separate plan there.") % {"number": invoice.number,
                                          "other": invoice.engagement.number}
            continue
        if invoice.kind not in BILLING_KINDS:
            errors["invoices"] = _(
                "%(number)s is a %(kind)s, not an invoice the client owes.") % {
                "number": invoice.number, "kind": invoice.get_kind_display().lower()}
            continue
        left = outstanding(invoice, today)
        if left <= 0:
            errors["invoices"] = _("Invoice %(number)s is already paid: nothing is left to "
                                   "spread.") % {"number": invoice.number}
            continue
        other = live_plan_of(invoice)
        if other is not None:
            errors["invoices"] = _(
                "Invoice %(number)s is already covered by plan %(plan)s (%(state)s): withdraw "
                "that offer first, or leave the invoice out.") % {
                "number": invoice.number, "plan": other.number,
                "state": other.get_state_display().lower()}
            continue
        chosen.append(invoice)
        owed[invoice.pk] = left
    rows = []
    instalments = list(instalments or ())
    if not instalments:
        errors["instalments"] = _("Give at least one instalment (a date and an amount).")
    elif len(instalments) > MAX_INSTALMENTS:
        errors["instalments"] = _("At most %(max)s instalments.") % {"max": MAX_INSTALMENTS}
    previous = None
    for position, (raw_date, raw_amount) in enumerate(instalments, start=1):
        due, amount = _date(raw_date), _amount(raw_amount)
        key = f"instalment_{position}"
        if due is None:
            errors[f"{key}_date"] = _("Instalment %(n)s: %(value)s is not a date; write it as "
                                      "YYYY-MM-DD.") % {"n": position, "value": raw_date}
        elif due < today:
            errors[f"{key}_date"] = _("Instalment %(n)s: %(date)s is in the past; choose "
                                      "today (%(today)s) or later.") % {
                "n": position, "date": due.isoformat(), "today": today.isoformat()}
        elif previous is not None and due <= previous:
            errors[f"{key}_date"] = _(
                "Instalment %(n)s: its date (%(date)s) must come after instalment %(prev)s's "
                "(%(prev_date)s); put the dates in increasing order.") % {
                "n": position, "date": due.isoformat(), "prev": position - 1,
                "prev_date": previous.isoformat()}
        if due is not None:
            previous = due
        if amount is None:
            errors[f"{key}_amount"] = _("Instalment %(n)s: %(value)s is not an amount; write "
                                        "it like 250.00.") % {"n": position, "value": raw_amount}
        elif amount <= 0:
            errors[f"{key}_amount"] = _("Instalment %(n)s: the amount must be above 0 (it is "
                                        "%(value)s).") % {"n": position, "value": raw_amount}
        elif amount != money.to_cents(amount):
            errors[f"{key}_amount"] = _("Instalment %(n)s: %(value)s has more than two "
                                        "decimals; give it to the cent.") % {
                "n": position, "value": raw_amount}
        rows.append((due, amount))
    debt = sum(owed.values(), money.ZERO)
    amounts_ok = rows and all(isinstance(a, Decimal) and a > 0 for _d, a in rows)
    if chosen and amounts_ok and not any(k.endswith("_amount") for k in errors):
        total = sum((money.to_cents(a) for _d, a in rows), money.ZERO)
        if total < debt:
            errors["total"] = _(
                "The instalments add up to %(total)s, %(gap)s less than the debt they must "
                "cover (%(debt)s incl. VAT left on the chosen invoices): add %(gap)s to the "
                "instalments.") % {"total": _fmt(total), "gap": _fmt(debt - total),
                                   "debt": _fmt(debt)}
        elif total > debt:
            errors["total"] = _(
                "The instalments add up to %(total)s, %(gap)s more than the debt (%(debt)s incl. "
                "VAT left on the chosen invoices): a plan spreads what is owed, nothing more; "
                "take %(gap)s off.") % {"total": _fmt(total), "gap": _fmt(total - debt),
                                        "debt": _fmt(debt)}
    if errors:
        raise PlanRefused(errors)
    return chosen, [(d, money.to_cents(a)) for d, a in rows], debt, owed


# --- Offering -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SentPlan:
    plan: InstalmentPlan
    link: AccessLink
    token: str
    url: str


def _lock(engagement):
    return (Engagement.objects.select_for_update()
            .select_related("client", "identity", "owner").get(pk=engagement.pk))


def _event(plan, from_state, to_state, on, note="", user=None):
    PlanEvent.objects.create(plan=plan, from_state=from_state or "", to_state=to_state, on=on,
                             note=note[:500], user_label=user.get_username() if user else "")


def _snapshot(plan, engagement, chosen, owed, rows, today):
    """Every figure the plan's document prints (plain JSON types); its hash is stored."""
    return {
        "number": plan.number,
        "date": today.isoformat(),
        "engagement": engagement.number,
        "debt": str(plan.debt),
        "total": str(sum((a for _d, a in rows), money.ZERO)),
        "count": len(rows),
        "invoices": [{"number": inv.number, "date": inv.issue_date.isoformat(),
                      "due_date": inv.due_date.isoformat() if inv.due_date else "",
                      "amount": str(inv.net), "outstanding": str(owed[inv.pk])}
                     for inv in chosen],
        "instalments": [{"position": n, "due_date": d.isoformat(), "amount": str(a)}
                        for n, (d, a) in enumerate(rows, start=1)],
    }


def offer_plan(engagement, *, invoices, instalments, user=None, base_url=None, today=None):
    """Offer a plan to the engagement's client (see the module docstring)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(engagement)
        chosen, rows, debt, owed = validate(locked, invoices, instalments, today)
        lang = locked.client.language or locked.language or "fr"
        sequence = take_next_number(locked.owner, today.year, "plan")
        plan = InstalmentPlan.objects.create(
            owner=locked.owner, engagement=locked, year=today.year, sequence=sequence,
            number=format_number(today.year, sequence, "plan"), language=lang, debt=debt,
            offered_on=today, offered_by=user, snapshot={}, snapshot_sha256="")
        for invoice in chosen:
            PlanInvoice.objects.create(plan=plan, invoice=invoice, outstanding=owed[invoice.pk])
        for position, (due, amount) in enumerate(rows, start=1):
            PlanInstalment.objects.create(plan=plan, position=position, due_date=due,
                                          amount=amount)
        snapshot = _snapshot(plan, locked, chosen, owed, rows, today)
        document = issue_document(locked, "instalment_plan", lang, extras={"plan": snapshot})
        InstalmentPlan.objects.filter(pk=plan.pk).update(
            snapshot=snapshot, snapshot_sha256=json_sha256(snapshot), document=document)
        plan.refresh_from_db()
        _event(plan, "", S.OFFERED, today, note=f"{len(rows)} instalments, {debt}", user=user)
        sent = _send_link(plan, locked, user, base_url)
    return sent


def send_plan_link(plan, user=None, base_url=None):
    """A fresh link for an offer still waiting (the first e-mail was lost); older ones revoked."""
    with transaction.atomic():
        locked = _lock(plan.engagement)
        plan = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.state != S.OFFERED:
            raise TermsKitError(_("Plan %(number)s is %(state)s: only an offer waiting for the "
                                  "client can be sent again.") % {
                "number": plan.number, "state": plan.get_state_display().lower()})
        return _send_link(plan, locked, user, base_url)


def _send_link(plan, engagement, user, base_url):
    now = timezone.now()
    AccessLink.objects.filter(plan=plan, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(
        engagement=engagement, plan=plan, token_sha256=acceptance.token_hash(token),
        language=plan.language, email=engagement.client.email, created_at=now,
        created_by=user,
        expires_at=now + datetime.timedelta(days=app_settings.CLIENT_LINK_DAYS))
    link.documents.set([plan.document])
    url = acceptance.client_url(token, base_url=base_url)
    identity = engagement.identity
    lang = plan.language
    context = {"client_name": engagement.client.name, "seller": str(identity),
               "number": plan.number, "quote": engagement.number, "url": url,
               "debt": _fmt(plan.debt, lang), "count": plan.instalments.count(),
               "expires_at": acceptance._format_dt(link.expires_at, lang)}
    with translation.override(lang):
        subject = _("Instalment plan %(number)s from %(seller)s") % {
            "number": plan.number, "seller": identity}
    transaction.on_commit(lambda: acceptance._send(
        subject, "plan_offer", context, [link.email], lang, reply_to=identity.email or None,
        engagement=engagement, related=plan))
    return SentPlan(plan, link, token, url)


def withdraw_plan(plan, user=None, today=None):
    """The expert withdraws an offer the client has not accepted; its links stop working."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock(plan.engagement)
        locked = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.state != S.OFFERED:
            raise TermsKitError(_("Plan %(number)s is %(state)s: only an offer the client has "
                                  "not accepted can be withdrawn.") % {
                "number": locked.number, "state": locked.get_state_display().lower()})
        locked.state, locked.withdrawn_at = S.WITHDRAWN, timezone.now()
        locked.save(update_fields=["state", "withdrawn_at", "updated_at"])
        AccessLink.objects.filter(plan=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        _event(locked, S.OFFERED, S.WITHDRAWN, today, user=user)
    plan.state = locked.state
    return locked


# --- Acceptance (through the acceptance flow) ------------------------------------------------

def plan_consents(plan, lang):
    """The one sentence the client ticks; stored verbatim in the consent record."""
    rows = list(plan.instalments.order_by("position"))
    with translation.override(lang):
        wording = _(
            "I accept instalment plan %(number)s: I will pay %(total)s in %(count)s instalments "
            "on the dates shown (first on %(first)s, last on %(last)s). If an instalment is not "
            "paid by its date, the plan lapses and recovery of the whole remaining debt "
            "resumes.") % {"number": plan.number, "total": _fmt(plan.debt, lang),
                           "count": len(rows), "first": _fmt_date(rows[0].due_date, lang),
                           "last": _fmt_date(rows[-1].due_date, lang)}
    return [Consent("plan", wording)]


def accept_plan(link, *, ticked, full_name, ip_address, user_agent, token=None,
                session_proof=None, signer_role=""):
    try:
        with acceptance.recorded_whole_or_not_at_all(), transaction.atomic():
            return _accept_plan(link, ticked, full_name, ip_address, user_agent, token,
                                session_proof, signer_role)
    except IntegrityError as exc:
        # PlanAcceptance.plan is unique: a concurrent acceptance the lock did not stop.
        raise AlreadyDone(_("This instalment plan has already been accepted.")) from exc


def _accept_plan(link, ticked, full_name, ip_address, user_agent, token, session_proof,
                 signer_role):
    engagement = _lock(Engagement(pk=link.engagement_id))
    plan = InstalmentPlan.objects.select_for_update().get(pk=link.plan_id)
    if PlanAcceptance.objects.filter(plan=plan).exists() or plan.state in (
            S.ACCEPTED, S.KEPT, S.MISSED, S.COMPLETED):
        raise AlreadyDone(_("This instalment plan has already been accepted. Your signed copy "
                            "is available on this page."))
    if plan.state != S.OFFERED:
        raise AlreadyDone(_("This instalment plan was withdrawn by the sender and can no "
                            "longer be accepted."))
    link = AccessLink.objects.get(pk=link.pk)
    if not link.is_usable():
        raise LinkInvalid(_("This link is no longer valid. Ask the sender for a new link."))
    rows = list(plan.instalments.order_by("position"))
    if rows[0].due_date < timezone.localdate():
        raise AlreadyDone(_("The first instalment's date (%(date)s) has passed: this offer can "
                            "no longer be accepted. Ask the sender for a new plan.") % {
            "date": _fmt_date(rows[0].due_date, link.language)})
    consents = plan_consents(plan, link.language)
    verified_code = acceptance.session_verified(link, session_proof)
    # A company signs through a person acting in some capacity, as for the quote.
    asks_role = acceptance.asks_signer_role(engagement)
    acceptance._check_complete(verified_code, consents, ticked, full_name,
                               signer_role if asks_role else None)
    signer_role = " ".join((signer_role or "").split()) if asks_role else ""

    now = timezone.now()
    full_name = " ".join(full_name.split())
    shown = list(link.documents.order_by("pk"))
    payload = {
        "kind": ConsentKind.PLAN_ACCEPTANCE.value,
        "engagement": {"id": engagement.pk, "number": engagement.number,
                       "owner_id": engagement.owner_id},
        "plan": {"id": plan.pk, "number": plan.number, "debt": str(plan.debt),
                 "snapshot_sha256": plan.snapshot_sha256,
                 "invoices": [c.invoice.number for c in plan.covered.select_related("invoice")],
                 "instalments": [{"position": r.position, "due_date": r.due_date.isoformat(),
                                  "amount": str(r.amount)} for r in rows]},
        **acceptance.signer_evidence(engagement, link, verified_code, consents, ticked, shown,
                                     full_name, signer_role, ip_address, user_agent, now),
        "signature": {"statement": acceptance.SIGNATURE_STATEMENT,
                      "date": now.date().isoformat(), "typed_name": full_name,
                      "language": link.language},
        "link_id": link.pk,
    }
    record = acceptance._append_record(engagement, ConsentKind.PLAN_ACCEPTANCE, payload, now)
    accepted_at = acceptance._format_dt(now, link.language)
    certificate = pack.plan_acceptance_pdf(
        link.language, number=plan.number, engagement_number=engagement.number,
        seller=str(engagement.identity), client=engagement.client.name,
        signer=f"{full_name} — {acceptance.SIGNATURE_STATEMENT}", email=link.email,
        accepted_at=accepted_at, ip_address=ip_address, user_agent=user_agent[:200],
        consent=consents[0].wording,
        documents=" · ".join(f"{d.kind} PDF {d.pdf_sha256}" for d in shown),
        record_hash=record.record_hash)
    pack_pdf = pack.merge_pdfs([acceptance._read(d.pdf) for d in shown] + [certificate])
    sealed, sealed_bytes = acceptance._store_sealed(
        record, engagement, pack_pdf, f"Plan {plan.number} accepted by {full_name}")
    PlanAcceptance.objects.create(plan=plan, record=record, sealed=sealed)
    plan.state, plan.accepted_at = S.ACCEPTED, now
    plan.save(update_fields=["state", "accepted_at", "updated_at"])
    _event(plan, S.OFFERED, S.ACCEPTED, timezone.localdate(),
           note=f"accepted online, record #{record.sequence}")
    _pause_covered(plan, max(rows[-1].due_date, timezone.localdate()))
    _after_plan_acceptance(plan, engagement, link, full_name, accepted_at, sealed_bytes, token)
    acceptance._checkpoint_on_commit()
    return PlanAcceptance.objects.get(plan=plan)


def _after_plan_acceptance(plan, engagement, link, full_name, accepted_at, sealed_bytes, token):
    lang = link.language
    context = {"number": plan.number, "quote": engagement.number, "signer_name": full_name,
               "accepted_at": accepted_at, "url": ""}
    client_context = dict(context)
    if token:
        try:
            client_context["url"] = acceptance.client_url(token)
        except TermsKitError:
            pass
    filename = f"{plan.number}-signed.pdf"
    with translation.override(lang):
        subject = _("Instalment plan %(number)s accepted: your signed copy") % {
            "number": plan.number}
    expert_email = engagement.identity.email

    def send():
        acceptance._send(subject, "plan_accepted", client_context, [link.email], lang,
                         attachments=[(filename, sealed_bytes)], engagement=engagement,
                         related=plan)
        if expert_email:
            acceptance._send(subject, "plan_accepted", context, [expert_email], lang,
                             attachments=[(filename, sealed_bytes)], engagement=engagement,
                             related=plan)

    transaction.on_commit(send)


# --- Dunning pauses --------------------------------------------------------------------------

def _pause_covered(plan, until):
    from ..dunning import pauses

    for covered in plan.covered.select_related("invoice"):
        pauses.pause(covered.invoice, reason=_("Instalment plan %(number)s accepted") % {
            "number": plan.number}, until=until, source=PAUSE_SOURCE)


def _end_pauses(plan, on, note):
    from ..dunning import pauses

    for covered in plan.covered.select_related("invoice"):
        pauses.resume(covered.invoice, note=note, on=on)


def ladder_bases(invoices):
    """{invoice pk: date} for the invoices whose latest plan (withdrawn offers aside) was
    missed: the missed instalment's due date. One query, whatever the number of invoices
    (the daily dunning run asks once per batch)."""
    from django.db.models import OuterRef, Subquery

    ids = [getattr(invoice, "pk", invoice) for invoice in invoices]
    missed_due = PlanInstalment.objects.filter(
        plan_id=OuterRef("plan_id"), position=OuterRef("plan__missed_position")
    ).values("due_date")[:1]
    latest = {}
    for invoice_id, state, due in (
            PlanInvoice.objects.filter(invoice_id__in=ids).exclude(plan__state=S.WITHDRAWN)
            .annotate(missed_due=Subquery(missed_due))
            .order_by("plan__created_at", "plan_id")
            .values_list("invoice_id", "plan__state", "missed_due")):
        latest[invoice_id] = (state, due)  # the last plan wins
    return {pk: due for pk, (state, due) in latest.items() if state == S.MISSED and due}


def ladder_base(invoice):
    """The date dunning counts from for an invoice whose last plan was missed: the missed
    instalment's due date (the plan's terms); None otherwise (the invoice's own due date)."""
    return ladder_bases([invoice]).get(invoice.pk)


# --- Following a plan -----------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRow:
    position: int
    due_date: datetime.date
    amount: Decimal
    paid: Decimal
    state: str  # "paid", "partly_paid", "due", "upcoming", "missed"

    @property
    def left(self):
        return self.amount - self.paid


@dataclass(frozen=True)
class Progress:
    rows: list
    paid: Decimal
    left: Decimal
    next_due: object  # PlanRow or None
    first_missed: object  # PlanRow or None


def progress(plan, on=None):
    """What the plan's instalments have received, in order: the debt covered when offered
    minus what is still left on the covered invoices."""
    on = on or timezone.localdate()
    left_now = covered_debt([c.invoice for c in plan.covered.select_related("invoice")], on)
    paid_total = max(plan.debt - left_now, money.ZERO)
    rows, pool, next_due, missed = [], paid_total, None, None
    for item in plan.instalments.order_by("position"):
        paid = min(pool, item.amount)
        pool -= paid
        if paid >= item.amount:
            state = "paid"
        elif item.due_date < on:
            state = "missed"
        elif item.due_date == on:
            state = "due"
        else:
            state = "partly_paid" if paid else "upcoming"
        row = PlanRow(item.position, item.due_date, item.amount, paid, state)
        rows.append(row)
        if state == "missed" and missed is None:
            missed = row
        if state != "paid" and next_due is None:
            next_due = row
    return Progress(rows, paid_total, max(left_now, money.ZERO), next_due, missed)


def check_plans(on=None):
    """Daily: running plans become kept, missed or completed. Returns the counts."""
    on = on or timezone.localdate()
    counts = {"kept": 0, "missed": 0, "completed": 0}
    ids = list(InstalmentPlan.objects.filter(state__in=RUNNING_STATES)
               .order_by("pk").values_list("pk", "engagement_id"))
    for plan_id, engagement_id in ids:
        try:
            with transaction.atomic():
                _lock(Engagement(pk=engagement_id))
                plan = InstalmentPlan.objects.select_for_update().get(pk=plan_id)
                outcome = _check_one(plan, on)
        except Exception:
            logger.exception("Instalment plan check failed for plan %s", plan_id)
            continue
        if outcome:
            counts[outcome] += 1
    return counts


def instalments_under_plan(engagement):
    """Ids of the engagement's instalments whose invoices a running plan covers."""
    return set(Invoice.objects.filter(
        instalment_plans__engagement=engagement, instalment_plans__state__in=RUNNING_STATES,
        instalment__isnull=False).values_list("instalment_id", flat=True))


def after_payment(engagement, on):
    """Called by the payments service under the engagement's lock: a plan paid in full is
    completed at once (missed instalments wait for the daily check)."""
    for plan in InstalmentPlan.objects.select_for_update().filter(
            engagement=engagement, state__in=RUNNING_STATES):
        if progress(plan, on).left <= 0:
            _complete(plan, on)


def _check_one(plan, on):
    if plan.state not in RUNNING_STATES:
        return None
    state = progress(plan, on)
    if state.left <= 0:
        _complete(plan, on)
        return "completed"
    if state.first_missed is not None:
        _miss(plan, state.first_missed, on)
        return "missed"
    if plan.state == S.ACCEPTED and any(r.due_date < on for r in state.rows):
        plan.state = S.KEPT
        plan.save(update_fields=["state", "updated_at"])
        _event(plan, S.ACCEPTED, S.KEPT, on, note="instalments paid on time so far")
        return "kept"
    return None


def _complete(plan, on):
    before = plan.state
    plan.state, plan.completed_on = S.COMPLETED, on
    plan.save(update_fields=["state", "completed_on", "updated_at"])
    _event(plan, before, S.COMPLETED, on, note="fully paid: the covered invoices are settled")
    _end_pauses(plan, on, f"plan {plan.number} completed")


def _miss(plan, row, on):
    before = plan.state
    plan.state, plan.missed_on, plan.missed_position = S.MISSED, on, row.position
    plan.save(update_fields=["state", "missed_on", "missed_position", "updated_at"])
    _event(plan, before, S.MISSED, on, note=(
        f"instalment {row.position} of {row.amount} due {row.due_date.isoformat()} unpaid "
        f"({row.paid} received); dunning resumes from that date"))
    _end_pauses(plan, on, f"plan {plan.number} missed: instalment {row.position} due "
                          f"{row.due_date.isoformat()} unpaid")
    _tell_expert_missed(plan, row)


def _tell_expert_missed(plan, row):
    engagement = plan.engagement
    email = engagement.identity.email
    if not email:
        return
    lang = engagement.language or "fr"
    left = progress(plan, plan.missed_on).left
    with translation.override(lang):
        subject = _("Instalment plan %(number)s missed: dunning resumes") % {
            "number": plan.number}
        context = {"number": plan.number, "quote": engagement.number,
                   "client": engagement.client.name, "position": row.position,
                   "due_date": _fmt_date(row.due_date, lang), "amount": _fmt(row.amount, lang),
                   "paid": _fmt(row.paid, lang), "left": _fmt(left, lang)}
    transaction.on_commit(lambda: acceptance._send(subject, "plan_missed", context, [email],
                                                   lang, engagement=engagement, related=plan))


STATE_LABELS = {"paid": gettext_lazy("Paid"), "partly_paid": gettext_lazy("Partly paid"),
                "due": gettext_lazy("Due today"), "upcoming": gettext_lazy("To come"),
                "missed": gettext_lazy("Not paid by its date")}


def client_rows(plan, lang, on=None):
    """The plan's instalments and what is due next, formatted for the client's pages."""
    from ..documents.formatting import date as format_date
    from ..documents.formatting import money as format_money

    state = progress(plan, on)
    rows = [{"position": r.position, "due_date": format_date(r.due_date, lang),
             "amount": format_money(r.amount, lang), "state": r.state,
             "state_label": str(STATE_LABELS[r.state])} for r in state.rows]
    next_due = state.next_due and {"left": format_money(state.next_due.left, lang),
                                   "due_date": format_date(state.next_due.due_date, lang)}
    return rows, next_due


def client_summary(engagement, lang):
    """The engagement's latest plan accepted by the client (kept, missed or completed
    included), for the engagement's own client page; None without one."""
    plan = (InstalmentPlan.objects.filter(engagement=engagement, acceptance__isnull=False)
            .order_by("-created_at", "-pk").first())
    if plan is None:
        return None
    rows, next_due = client_rows(plan, lang)
    return {"plan": plan, "state": plan.get_state_display(), "rows": rows,
            "next_due": next_due if plan.state in RUNNING_STATES else None}
