"""Gapless, per-expert, per-series, per-year numbers.

French invoices need "a unique number in a chronological, continuous sequence"
(CGI ann. II art. 242 nonies A, 7°); quotes follow the same discipline so that a number is
a reliable reference in a dispute. Each series (quotes, invoices, credit notes, payment
receipts) is continuous on its own. A number is taken only when a document leaves the
draft state (or an invoice is issued), inside the caller's transaction: if that transaction
rolls back, so does the sequence, and no hole is left.
"""

from django.db import transaction

from ..conf import app_settings
from ..models import NumberSequence

QUOTE = "quote"

PREFIX_SETTINGS = {
    "quote": "QUOTE_NUMBER_PREFIX",
    "invoice": "INVOICE_NUMBER_PREFIX",
    "credit_note": "CREDIT_NOTE_NUMBER_PREFIX",
    "receipt": "RECEIPT_NUMBER_PREFIX",
    "formal_notice": "FORMAL_NOTICE_NUMBER_PREFIX",
    "plan": "PLAN_NUMBER_PREFIX",
}


def format_number(year, sequence, series=QUOTE):
    digits = app_settings.NUMBER_DIGITS
    prefix = getattr(app_settings, PREFIX_SETTINGS[series])
    return f"{prefix}-{year}-{sequence:0{digits}d}"


def take_next_number(owner, year, series=QUOTE):
    """Return the next sequence value for ``owner``, ``series`` and ``year``; locks the row.

    Must run inside the transaction that stores the number, so that concurrent callers
    queue on the row lock and a rollback gives the number back.
    """
    if series not in PREFIX_SETTINGS:
        raise ValueError(
            f"Unknown number series {series!r}; use one of {', '.join(PREFIX_SETTINGS)}.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next_number() must run inside transaction.atomic().")
    # get_or_create retries a concurrent insert of the same row as a (locking) get.
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
        owner=owner, series=series, year=year
    )
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value
