import threading

import pytest
from django.db import connection, transaction

from terms_kit.models import Engagement
from terms_kit.services.numbering import take_next_number
from terms_kit.services.status import change_status
from terms_kit.status import Origin, Status
from tests.conftest import requires_postgres


def send(engagement):
    change_status(engagement, Status.SENT, origin=Origin.ACCEPTANCE)
    engagement.refresh_from_db()
    return engagement.number


@pytest.mark.django_db
def test_drafts_have_no_number_and_sending_numbers_them_in_order(make_engagement):
    first, second, third = (make_engagement(key) for key in ("S1", "S2", "S3"))
    assert first.number == ""
    assert [send(second), send(first)] == ["D-2026-0001", "D-2026-0002"]
    # A draft that is deleted never took a number, so the sequence has no hole.
    third.delete()
    assert send(make_engagement("S4")) == "D-2026-0003"


@pytest.mark.django_db
def test_sequences_are_per_expert_and_per_year(make_engagement, make_expert):
    other = make_expert("other")

    def next_year(spec):
        spec["engagement"]["issue_date"] = "2027-01-04"
        spec["engagement"]["validity_date"] = "2027-02-04"

    assert send(make_engagement("S1")) == "D-2026-0001"
    assert send(make_engagement("S1", owner=other)) == "D-2026-0001"
    assert send(make_engagement("S1", change=next_year)) == "D-2027-0001"
    assert send(make_engagement("S2")) == "D-2026-0002"


@pytest.mark.django_db
def test_number_format_follows_settings(make_engagement, settings):
    settings.TERMS_KIT = {"QUOTE_NUMBER_PREFIX": "DEV", "NUMBER_DIGITS": 6}
    assert send(make_engagement("S1")) == "DEV-2026-000001"


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back(make_engagement, expert):
    with pytest.raises(RuntimeError), transaction.atomic():
        take_next_number(expert, 2026)
        raise RuntimeError("the caller failed after taking a number")
    with transaction.atomic():
        assert take_next_number(expert, 2026) == 1


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused(expert):
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        take_next_number(expert, 2026)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sending_gives_gapless_unique_numbers(make_engagement, expert):
    engagements = [make_engagement("S4") for _ in range(20)]
    start = threading.Barrier(len(engagements))
    failures = []

    def worker(engagement):
        try:
            start.wait()
            change_status(engagement, Status.SENT, origin=Origin.ACCEPTANCE)
        except Exception as exc:  # reported below, with the thread's exception
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(e,)) for e in engagements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sequences = sorted(Engagement.objects.values_list("number_sequence", flat=True))
    assert sequences == list(range(1, 21))


@pytest.mark.django_db
def test_each_series_is_continuous_on_its_own(expert):
    from terms_kit.services.numbering import format_number

    with transaction.atomic():
        assert [take_next_number(expert, 2026, "invoice") for _ in range(3)] == [1, 2, 3]
        assert take_next_number(expert, 2026, "credit_note") == 1
        assert take_next_number(expert, 2026) == 1  # quotes
        assert take_next_number(expert, 2027, "invoice") == 1  # a new year starts again
    with pytest.raises(RuntimeError), transaction.atomic():
        take_next_number(expert, 2026, "invoice")
        raise RuntimeError("the invoice could not be issued")
    with transaction.atomic():
        assert take_next_number(expert, 2026, "invoice") == 4  # 4 was given back
    assert [format_number(2026, 4, series) for series in ("quote", "invoice", "credit_note",
                                                          "receipt")] == [
        "D-2026-0004", "F-2026-0004", "AV-2026-0004", "R-2026-0004"]
    with pytest.raises(ValueError, match="Unknown number series"):
        with transaction.atomic():
            take_next_number(expert, 2026, "bills")
