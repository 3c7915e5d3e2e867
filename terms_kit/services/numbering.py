"""Gapless, per-expert, per-year numbers.

French invoices need "a unique number in a chronological, continuous sequence"
(CGI ann. II art. 242 nonies A, 7°); quotes follow the same discipline so that a number is
a reliable reference in a dispute. A number is taken only when a document leaves the
draft state, inside the caller's transaction: if that transaction rolls back, so does the
sequence, and no hole is left.
"""

from django.db import transaction

from ..conf import app_settings
from ..models import NumberSequence


def format_number(year, sequence):
    digits = app_settings.NUMBER_DIGITS
    return f"{app_settings.QUOTE_NUMBER_PREFIX}-{year}-{sequence:0{digits}d}"


def take_next_number(owner, year):
    """Return the next sequence value for ``owner`` and ``year``; locks the sequence row.

    Must run inside the transaction that stores the number, so that concurrent callers
    queue on the row lock and a rollback gives the number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next_number() must run inside transaction.atomic().")
    # get_or_create retries a concurrent insert of the same row as a (locking) get.
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(owner=owner, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value
