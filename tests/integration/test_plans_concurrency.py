"""The same instalment plan accepted by concurrent POSTs on PostgreSQL: one acceptance."""

import threading

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.db import connection
from django.test import Client
from plans_helpers import days, make_overdue

from terms_kit.models import ConsentRecord, PlanAcceptance, PlanEvent, SealedFile
from terms_kit.services import plans
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

ATTEMPTS = 10


class _Capture:
    def __call__(self, execute=True):
        import contextlib

        return contextlib.nullcontext()


def test_concurrent_acceptances_of_one_plan_store_one(text_pdfs, accepted, sealed_settings):
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (1000, 60), "code": (10, 60), "accept": (1000, 60), "verify": (10, 60)}}
    engagement, invoice = make_overdue(accepted, _Capture())
    sent = plans.offer_plan(engagement, invoices=[invoice],
                            instalments=plans.even_split(plans.outstanding(invoice), 2, days(5)),
                            user=engagement.owner)
    verified = Client()
    verify_email(verified, sent.token)
    form = accept_form(["plan"], "Marie Durand")
    barrier = threading.Barrier(ATTEMPTS)
    statuses, errors = [], []

    def post():
        try:
            barrier.wait()
            browser = Client()
            browser.cookies = verified.cookies
            statuses.append(browser.post(url("accept", sent.token), form).status_code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and statuses == [302] * ATTEMPTS
    assert PlanAcceptance.objects.filter(plan=sent.plan).count() == 1
    assert ConsentRecord.objects.filter(kind="plan_acceptance").count() == 1
    assert SealedFile.objects.filter(record__kind="plan_acceptance").count() == 1
    assert PlanEvent.objects.filter(plan=sent.plan, to_state="accepted").count() == 1


def test_two_plan_checks_at_once_miss_the_plan_once(text_pdfs, accepted, sealed_settings):
    import datetime

    from django.core import mail
    from plans_helpers import client_accepts

    engagement, invoice = make_overdue(accepted, _Capture())
    rows = plans.even_split(plans.outstanding(invoice), 2, days(5))
    sent = plans.offer_plan(engagement, invoices=[invoice], instalments=rows,
                            user=engagement.owner)
    client_accepts(sent, _Capture())
    mail.outbox.clear()
    missed_day = rows[0][0] + datetime.timedelta(days=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(plans.check_plans(missed_day))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r["missed"] for r in results) == [0, 1]
    assert PlanEvent.objects.filter(plan=sent.plan, to_state="missed").count() == 1
    assert len([m for m in mail.outbox if "ECH-" in m.subject]) == 1
