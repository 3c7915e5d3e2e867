"""20 acceptance POSTs at once on PostgreSQL: exactly one consent record, one sealed pack."""

import threading

import pytest
from acceptance_helpers import accept_form, as_shown, url, verify_email
from django.db import connection
from django.test import Client

from terms_kit.models import ConsentRecord, SealedFile, StatusChange
from terms_kit.services.acceptance import send_to_client
from tests.conftest import acknowledge_warnings, requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

ATTEMPTS = 20


def test_twenty_concurrent_acceptances_give_exactly_one_record(make_engagement, sealed_settings):
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (1000, 60), "code": (10, 60), "accept": (1000, 60), "verify": (10, 60)}}
    engagement = make_engagement("S2")
    acknowledge_warnings(engagement)
    token = send_to_client(engagement, engagement.owner).token
    verified = Client()  # every POST comes from the browser session that typed the code
    verify_email(verified, token)
    form = accept_form(["terms", "deposit"], "Marie Durand")
    barrier = threading.Barrier(ATTEMPTS)
    statuses, errors = [], []

    def post():
        try:
            barrier.wait()
            browser = Client()
            browser.cookies = verified.cookies
            response = browser.post(url("accept", token), form, follow=True)
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


def test_concurrent_checkpoints_store_and_mail_one(make_engagement, sealed_settings):
    """Cron and the after-acceptance task may run at once: one checkpoint, one e-mail."""
    from django.core import mail

    from terms_kit.models import ChainCheckpoint
    from terms_kit.services.checkpoints import make_checkpoint

    sealed_settings.ADMINS = [("Admin", "admin@terms-kit.example")]
    engagement = make_engagement("S2")
    acknowledge_warnings(engagement)
    token = send_to_client(engagement, engagement.owner).token
    browser = Client()
    verify_email(browser, token)
    browser.post(url("accept", token), accept_form(["terms", "deposit"], "Marie Durand"))
    assert ConsentRecord.objects.count() == 1
    mail.outbox.clear()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait()
            outcomes.append(make_checkpoint().created)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, [getattr(e, "problems", e) for e in errors]
    assert sorted(outcomes) == [False, False, False, True]
    assert ChainCheckpoint.objects.count() == 1
    assert len([m for m in mail.outbox if "checkpoint" in m.subject]) == 1
