"""Issuing a formal notice (mise en demeure): checked, computed, numbered, rendered, recorded.

C. civ. 1344 imposes no wording; practice and fr-rules.md (dun.med, dun.b2c_fees) ask for:
the words "mise en demeure", creditor and debtor, each invoice (number, date, due date,
amount), the payments received, the interest to the day, the 40 EUR per invoice between
businesses only (never for a consumer, CPCE L111-8), a deadline of 8 to 15 days and the next
step (order for payment; small-claims procedure up to 5 000 EUR).

``issue_formal_notice`` is idempotent: the same engagement, invoices and day give back the
notice already issued (the row lock on the engagement queues concurrent callers, and a unique
constraint backs it). Bad input raises ``NoticeError`` before anything is stored.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..compliance import params
from ..documents.hashing import canonical_json, sha256
from ..models import Engagement, FormalNotice, Invoice
from ..services.documents import issue_document
from ..services.invoicing import document_language
from ..services.numbering import format_number, take_next_number
from . import claims, interest
from .receivables import DUNNABLE_KINDS

SERIES = "formal_notice"
DEADLINE_MIN, DEADLINE_MAX, DEADLINE_DEFAULT = 8, 15, 8


class NoticeError(ValueError):
    """A formal notice cannot be issued as asked; the message says why and what to do."""


def invoice_key(invoices):
    return ",".join(str(pk) for pk in sorted({invoice.pk for invoice in invoices}))


def _check(engagement, invoices, on, deadline_days):
    if not isinstance(deadline_days, int) or not DEADLINE_MIN <= deadline_days <= DEADLINE_MAX:
        raise NoticeError(_(
            "The deadline of a formal notice is %(min)s to %(max)s days (you asked for "
            "%(days)s): choose a deadline in that range.")
            % {"min": DEADLINE_MIN, "max": DEADLINE_MAX, "days": deadline_days})
    if not invoices:
        raise NoticeError(_("Choose at least one unpaid invoice for the formal notice."))
    for invoice in invoices:
        if invoice.engagement_id != engagement.pk:
            raise NoticeError(_("Invoice %(number)s belongs to another engagement: a formal "
                                "notice covers the invoices of one engagement.")
                              % {"number": invoice.number})
        if invoice.kind not in DUNNABLE_KINDS or invoice.due_date is None:
            raise NoticeError(_("%(number)s does not ask for a payment by a due date (it is a "
                                "%(kind)s): leave it out of the formal notice.")
                              % {"number": invoice.number, "kind": invoice.get_kind_display()})
        if invoice.due_date >= on:
            raise NoticeError(_("Invoice %(number)s is not late yet (due %(due)s): a formal "
                                "notice can only claim invoices past their due date.")
                              % {"number": invoice.number, "due": invoice.due_date.isoformat()})


def _figures(engagement, invoices, on, deadline_days, number):
    """Every figure the notice prints, as plain JSON (strings for amounts, ISO dates)."""
    debtor = claims.debtor_of(engagement)
    statements = []
    for invoice in invoices:
        notice_date = None
        if debtor == interest.CONSUMER:
            notice_date = claims.first_notice_date(invoice, before=on) or on
        found = claims.statement(invoice, on, notice_date=notice_date)
        if found.unpaid <= 0:
            raise NoticeError(_(
                "Invoice %(number)s is paid (nothing left to pay on %(on)s): a formal notice "
                "claims only what is unpaid; leave it out.")
                % {"number": invoice.number, "on": on.isoformat()})
        statements.append((invoice, found))
    totals = interest.total_claim([s for _i, s in statements])
    half = interest.half_year_start(on)
    legal_rate = params.value(interest.LEGAL_OTHER, half) if debtor == interest.CONSUMER else ""
    limit = params.value("small_claims_max_eur", on)
    figures = {
        "number": number, "date": on.isoformat(), "deadline_days": deadline_days,
        "deadline_date": (on + datetime.timedelta(days=deadline_days)).isoformat(),
        "debtor": debtor, "consumer": debtor == interest.CONSUMER,
        "principal": str(totals["unpaid"]), "interest": str(totals["interest"]),
        "indemnity": str(totals["indemnity"]), "total": str(totals["total"]),
        "indemnity_each": (str(params.value("recovery_indemnity_eur", on))
                           if debtor == interest.BUSINESS else ""),
        "legal_rate": str(legal_rate), "small_claims": totals["total"] <= limit,
        "small_claims_limit": str(limit), "runs_from_notice": debtor == interest.CONSUMER,
        "rounding": interest.ROUNDING_RULE,
        "invoices": [], "lines": [], "payments": [], "statements": [],
    }
    for invoice, found in statements:
        paid = found.amount - found.unpaid
        figures["invoices"].append({
            "id": invoice.pk, "number": invoice.number,
            "date": invoice.issue_date.isoformat(), "due_date": invoice.due_date.isoformat(),
            "amount": str(found.amount), "paid": str(paid), "unpaid": str(found.unpaid),
            "days_late": found.days_late, "interest": str(found.interest),
            "indemnity": str(found.indemnity)})
        figures["payments"] += [{"date": day.isoformat(), "amount": str(amount),
                                 "invoice": invoice.number} for day, amount in found.payments]
        figures["lines"] += [{**line.as_json(), "invoice": invoice.number,
                              "start": line.start.isoformat(), "end": line.end.isoformat(),
                              "amount": line.as_json()["amount_unrounded"]}
                             for line in found.lines]
        figures["statements"].append(found.as_json())
    return figures


def issue_formal_notice(engagement, *, invoices, on, deadline_days=DEADLINE_DEFAULT, user=None,
                        converter=None):
    """The formal notice for ``invoices`` of ``engagement`` dated ``on`` (the same one when
    already issued that day for the same invoices)."""
    invoices = sorted(invoices, key=lambda invoice: (invoice.due_date or on, invoice.pk))
    _check(engagement, invoices, on, deadline_days)
    key = invoice_key(invoices)
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
        existing = FormalNotice.objects.filter(engagement=engagement, invoice_key=key,
                                               issue_date=on).first()
        if existing is not None:
            return existing
        invoices = list(Invoice.objects.filter(pk__in=[i.pk for i in invoices])
                        .select_related("engagement__client").order_by("due_date", "pk"))
        try:
            # Computed before the number is taken: a missing figure leaves no trace.
            _figures(engagement, invoices, on, deadline_days, "")
        except interest.InterestError as exc:
            raise NoticeError(str(exc)) from exc
        sequence = take_next_number(engagement.owner, on.year, SERIES)
        number = format_number(on.year, sequence, SERIES)
        figures = _figures(engagement, invoices, on, deadline_days, number)
        lang = document_language(engagement)
        document = issue_document(engagement, "formal_notice", lang, extras={"notice": figures},
                                  converter=converter)
        return FormalNotice.objects.create(
            owner=engagement.owner, engagement=engagement, number=number, year=on.year,
            sequence=sequence, issue_date=on, invoice_key=key, debtor=figures["debtor"],
            deadline_days=deadline_days,
            deadline_date=datetime.date.fromisoformat(figures["deadline_date"]), language=lang,
            principal=Decimal(figures["principal"]), interest=Decimal(figures["interest"]),
            indemnity=Decimal(figures["indemnity"]), total=Decimal(figures["total"]),
            snapshot=figures, snapshot_sha256=sha256(canonical_json(figures).encode("utf-8")),
            document=document, issued_by=user,
        )
