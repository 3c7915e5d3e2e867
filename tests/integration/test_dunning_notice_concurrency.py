"""Concurrency on PostgreSQL: the same formal notice asked for by 8 threads at once gives one
notice and takes one number; notices for different days at once get consecutive numbers."""

import datetime

import pytest
from notice_helpers import s2_unpaid
from payments_helpers import accept

from terms_kit.dunning.notices import issue_formal_notice
from terms_kit.dunning.recourse import build_recourse_file
from terms_kit.models import FormalNotice, NumberSequence, RecourseFile
from tests.conftest import requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]
THREADS = 8
MAR2 = datetime.date(2026, 3, 2)



@pytest.fixture
def s2(text_pdfs, sent, django_capture_on_commit_callbacks):
    return s2_unpaid(lambda key: accept(sent, key, capture=django_capture_on_commit_callbacks),
                     django_capture_on_commit_callbacks)


def test_same_notice_at_once_is_issued_once(s2):
    engagement, _paid, unpaid = s2
    results, errors = run_together(
        lambda i: issue_formal_notice(engagement, invoices=[unpaid], on=MAR2), THREADS)
    assert not errors and len(results) == THREADS
    assert len({notice.pk for notice in results}) == 1
    assert FormalNotice.objects.count() == 1
    assert NumberSequence.objects.get(series="formal_notice").last_value == 1


def test_notices_of_different_days_at_once_have_no_gap(s2):
    engagement, _paid, unpaid = s2
    results, errors = run_together(lambda i: issue_formal_notice(
        engagement, invoices=[unpaid], on=MAR2 + datetime.timedelta(days=i)), THREADS)
    assert not errors
    assert sorted(FormalNotice.objects.values_list("sequence", flat=True)) == list(
        range(1, THREADS + 1))


def test_same_recourse_file_at_once_is_built_once(s2):
    engagement, _paid, _unpaid = s2
    results, errors = run_together(
        lambda i: build_recourse_file(engagement, on=datetime.date(2026, 3, 17)), 4)
    assert not errors and len({record.pk for record in results}) == 1
    assert RecourseFile.objects.count() == 1
