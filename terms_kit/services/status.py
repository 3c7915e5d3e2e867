from django.db import transaction
from django.db.transaction import TransactionManagementError
from wagtail.log_actions import log

from ..exceptions import InvalidTransition, TransitionNotYours
from ..models import Engagement, StatusChange
from ..signals import engagement_status_changed
from ..status import Origin, Status, can_transition, origin_allowed
from .numbering import format_number, take_next_number

STATUS_LOG_ACTION = "terms_kit.status_change"


class StaleStatus(Exception):
    """The row a caller passed as ``locked`` no longer holds the stored status (it was
    changed through another instance in the same transaction): nothing was written; read
    the status again and decide again."""


def change_status(engagement, to_status, *, user=None, note="", origin=Origin.MANUAL,
                  locked=None):
    """Move an engagement to ``to_status``: the one way a status ever changes.

    Locks the row, checks the transition table against the *stored* status (not the
    possibly stale instance), writes the history row, and signals after commit.
    Leaving the draft state gives the quote its number. ``origin`` says which service asks:
    a change that needs evidence or money is refused unless its owner makes it
    (``status.ORIGINS``), so an expert's dropdown can never accept a quote or mark it paid.

    ``locked``: the engagement row the caller already read with SELECT ... FOR UPDATE in
    the transaction it is still in (the payments service). Its status is trusted without a
    second locked read or a savepoint, and the UPDATE is conditional on it: when it is
    stale, nothing is written and StaleStatus is raised (the caller reads again).
    """
    if locked is not None:
        if not transaction.get_connection().in_atomic_block:
            raise TransactionManagementError("change_status(locked=...) needs the caller's "
                                             "transaction, in which the row was locked.")
        if not (locked.status == Status.DRAFT and to_status == Status.SENT):
            return _change(engagement, locked, to_status, user, note, origin, trusted=True)
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        return _change(engagement, locked, to_status, user, note, origin, trusted=False)


def _change(engagement, locked, to_status, user, note, origin, *, trusted):
    from_status = locked.status
    if not can_transition(from_status, to_status):
        raise InvalidTransition(locked, from_status, to_status)
    if not origin_allowed(from_status, to_status, origin):
        raise TransitionNotYours(locked, from_status, to_status, origin)

    update = {"status": to_status}
    if from_status == Status.DRAFT and to_status == Status.SENT and not locked.number:
        year = locked.issue_date.year
        sequence = take_next_number(locked.owner, year)
        update.update(
            number=format_number(year, sequence), number_year=year, number_sequence=sequence
        )
    # A queryset update: the status is not an editable field and lock_version is the
    # wizard's, so a status change never conflicts with an open edit form.
    rows = Engagement.objects.filter(pk=locked.pk)
    if trusted:
        # The caller's row was read under the lock it still holds: only a change made
        # through another instance in this same transaction can make it stale.
        if not rows.filter(status=from_status).update(**update):
            raise StaleStatus(locked.pk)
    else:
        rows.update(**update)
    for field, value in update.items():
        setattr(engagement, field, value)
        setattr(locked, field, value)

    change = StatusChange.objects.create(
        engagement=locked,
        from_status=from_status,
        to_status=to_status,
        changed_by=user,
        changed_by_label=user.get_username() if user else "",
        note=note,
        origin=origin,
    )
    # Also in Wagtail's history (object history, site history), for the admin's usual views;
    # the StatusChange above stays the evidence.
    log(locked, STATUS_LOG_ACTION, user=user,
        data={"from": from_status, "to": to_status, "origin": origin, "note": note})
    transaction.on_commit(
        lambda: engagement_status_changed.send(
            sender=Engagement, engagement=engagement, from_status=from_status,
            to_status=to_status, change=change,
        )
    )
    return change
