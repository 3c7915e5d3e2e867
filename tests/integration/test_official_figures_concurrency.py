"""Two superusers record the same half-year at once on PostgreSQL: the unique half-year lets
exactly one record in; the other gets a clear refusal, never a second figure or a crash.
Real threads, real transactions. The 2026H2 values are test figures."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from terms_kit.models import HalfYearFigures
from terms_kit.services.figures import FigureRefused, record_half_year
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

RECORDERS = 4


def test_concurrent_recordings_of_one_half_year_store_one(django_user_model):
    users = [django_user_model.objects.create_superuser(f"root{i}", f"r{i}@example.com", "pw")
             for i in range(RECORDERS)]
    barrier = threading.Barrier(RECORDERS)
    stored, refused, errors = [], [], []

    def target(index):
        try:
            barrier.wait()
            stored.append(record_half_year(
                users[index], half_year_start=datetime.date(2026, 7, 1),
                legal_rate_other=Decimal("2.50") + index, legal_rate_consumer=Decimal("6.50"),
                ecb_rate=Decimal("2.15"), source="Test arrêté, JORF du 26 juin 2026",
                published_on=datetime.date(2026, 6, 26)))
        except FigureRefused as exc:
            refused.append(exc)
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(RECORDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(stored) == 1 and len(refused) == RECORDERS - 1
    assert HalfYearFigures.objects.count() == 1
    record = HalfYearFigures.objects.get()
    assert record.legal_rate_other == stored[0].legal_rate_other
    for exc in refused:
        assert "half_year_start" in exc.errors
