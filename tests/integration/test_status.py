import itertools

import pytest

from terms_kit.exceptions import ImmutableRecord, InvalidTransition, TransitionNotYours
from terms_kit.models import Engagement, StatusChange
from terms_kit.services.status import change_status
from terms_kit.signals import engagement_status_changed
from terms_kit.status import ORIGINS, TRANSITIONS, Origin, Status, manual_next

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Status.values, Status.values))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def at_status(engagement, status):
    # Put the stored row in a given state for the test (bypassing the service on purpose).
    Engagement.objects.filter(pk=engagement.pk).update(status=status)
    engagement.refresh_from_db()
    return engagement


def test_table_covers_every_status():
    assert set(TRANSITIONS) == set(Status.values)
    assert len(ALLOWED) + len(FORBIDDEN) == len(Status.values) ** 2


def test_every_allowed_transition_has_an_owner_and_no_owner_has_a_forbidden_one():
    assert set(ORIGINS) == set(ALLOWED)
    assert all(ORIGINS[pair] for pair in ALLOWED)


def first_origin(from_status, to_status):
    return sorted(ORIGINS[(from_status, to_status)])[0]


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_changes_status_and_writes_history(
    make_engagement, expert, from_status, to_status
):
    engagement = at_status(make_engagement("S2"), from_status)
    origin = first_origin(from_status, to_status)
    change = change_status(engagement, to_status, user=expert, note="why", origin=origin)
    engagement.refresh_from_db()
    assert change.origin == origin
    assert engagement.status == to_status
    assert (change.from_status, change.to_status, change.changed_by_label) == (
        from_status, to_status, "expert")
    assert list(engagement.status_changes.values_list("to_status", flat=True)) == [to_status]


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_leaves_no_trace(make_engagement, from_status,
                                                             to_status):
    engagement = at_status(make_engagement("S2"), from_status)
    with pytest.raises(InvalidTransition):
        change_status(engagement, to_status)
    engagement.refresh_from_db()
    assert engagement.status == from_status
    assert not StatusChange.objects.exists()


NOT_YOURS = [(a, b, o) for (a, b) in ALLOWED for o in Origin.values if o not in ORIGINS[(a, b)]]


@pytest.mark.parametrize(("from_status", "to_status", "origin"), NOT_YOURS)
def test_a_change_owned_by_another_service_is_refused_and_leaves_no_trace(
    make_engagement, from_status, to_status, origin
):
    engagement = at_status(make_engagement("S2"), from_status)
    with pytest.raises(TransitionNotYours):
        change_status(engagement, to_status, origin=origin)
    engagement.refresh_from_db()
    assert engagement.status == from_status
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SENT, Status.DEPOSIT_DUE, Status.OVERDUE])
def test_by_hand_an_expert_can_neither_send_accept_nor_mark_money_received(status):
    offered = set(manual_next(status))
    assert offered.isdisjoint(
        {Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS, Status.PAID, Status.WITHDRAWN})


def test_transition_is_checked_against_the_stored_status_not_a_stale_instance(make_engagement):
    engagement = make_engagement("S2")
    stale = Engagement.objects.get(pk=engagement.pk)
    change_status(engagement, Status.CANCELLED)
    # The stale copy still says "draft", where sending would be allowed.
    with pytest.raises(InvalidTransition):
        change_status(stale, Status.SENT, origin=Origin.ACCEPTANCE)


def test_signal_is_sent_only_after_commit(make_engagement, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, engagement, from_status, to_status, change, **kwargs):
        received.append((from_status, to_status))

    engagement_status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            change_status(make_engagement("S2"), Status.SENT, origin=Origin.ACCEPTANCE)
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [(Status.DRAFT, Status.SENT)]
    finally:
        engagement_status_changed.disconnect(receiver)


def test_history_rows_are_insert_only(make_engagement):
    change = change_status(make_engagement("S2"), Status.SENT, origin=Origin.ACCEPTANCE)
    change.note = "rewritten"
    with pytest.raises(ImmutableRecord):
        change.save()
    with pytest.raises(ImmutableRecord):
        change.delete()
    assert StatusChange.objects.get(pk=change.pk).note == ""


def test_a_caller_s_locked_row_is_used_without_a_second_lock_and_never_when_stale(
        make_engagement, django_assert_num_queries):
    # The payments service passes the row it locked (change_status(locked=...)): one
    # conditional UPDATE, the history row and the log entry, no second locked read.
    from django.db import transaction

    from terms_kit.services.status import StaleStatus

    from django.contrib.contenttypes.models import ContentType

    engagement = at_status(make_engagement("S2"), Status.ACCEPTED)
    ContentType.objects.get_for_model(Engagement)  # the log entry's, cached once per process
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        with django_assert_num_queries(3):
            change_status(locked, Status.DEPOSIT_DUE, origin=Origin.PAYMENTS, locked=locked)
        assert locked.status == Status.DEPOSIT_DUE
        # Moved meanwhile through another instance: the stale row writes nothing.
        stale = Engagement.objects.select_for_update().get(pk=engagement.pk)
        change_status(locked, Status.IN_PROGRESS, origin=Origin.PAYMENTS, locked=locked)
        with pytest.raises(StaleStatus):
            change_status(stale, Status.OVERDUE, origin=Origin.PAYMENTS, locked=stale)
    engagement.refresh_from_db()
    assert engagement.status == Status.IN_PROGRESS
    assert list(engagement.status_changes.values_list("to_status", flat=True)) == [
        Status.DEPOSIT_DUE, Status.IN_PROGRESS]
