"""20 acceptance POSTs at once on PostgreSQL: exactly one consent record, one sealed pack."""

import threading

import pytest
from acceptance_helpers import accept_form, as_shown, url, verify_email
from django.db import connection
from django.test import Client

from conftest import requires_postgres
from terms_kit.models import ConsentRecord, SealedFile, StatusChange
from terms_kit.services.acceptance import send_to_client
from tests.conftest import acknowledge_warnings

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

ATTEMPTS = 20


def test_twenty_concurrent_acceptances_give_exactly_one_record(make_engagement, sealed_settings):
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (1000, 60), "code": (10, 60), "accept": (1000, 60), "verify": (10, 60)}}
    engagement = make_engagement("S2")
    acknowledge_warnings(engagement)
    token = send_to_client(engagement, engagement.owner).token
    verify_email(Client(), token)
    form = accept_form(["terms", "deposit"], "Marie Durand")
    barrier = threading.Barrier(ATTEMPTS)
    statuses, errors = [], []

    def post():
        try:
            barrier.wait()
            response = Client().post(url("accept", token), form, follow=True)
            statuses.append((response.status_code, response.content))
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(statuses) == ATTEMPTS and all(code == 200 for code, _ in statuses)
    assert ConsentRecord.objects.filter(engagement=engagement).count() == 1
    assert SealedFile.objects.filter(engagement=engagement).count() == 1
    assert StatusChange.objects.filter(engagement=engagement, to_status="accepted").count() == 1
    accepted_message = as_shown("Thank you: the quote is accepted. Your signed copy has been "
                                "sent to you by e-mail.")
    refused_message = as_shown("This quote has already been accepted. Your signed copy is "
                               "available on this page.")
    accepted = sum(accepted_message in body for _, body in statuses)
    refused = sum(refused_message in body for _, body in statuses)
    assert (accepted, refused) == (1, ATTEMPTS - 1)
