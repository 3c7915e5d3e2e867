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


def _accepted(make_engagement, name):
    engagement = make_engagement("S2")
    acknowledge_warnings(engagement)
    token = send_to_client(engagement, engagement.owner).token
    browser = Client()
    verify_email(browser, token)
    browser.post(url("accept", token), accept_form(["terms", "deposit"], name))


def _another_node_commits_during(module, name, errors, other):
    """Wrap ``module.name`` so that, the first time the main thread calls it, another node
    (a thread, its own connection) makes the next checkpoint before the call returns."""
    original = getattr(module, name)

    def other_node():
        from terms_kit.services.checkpoints import make_checkpoint

        try:
            other.append(make_checkpoint())
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    def wrapped(*args, **kwargs):
        found = original(*args, **kwargs)
        if not other and not errors and threading.current_thread() is threading.main_thread():
            thread = threading.Thread(target=other_node)
            thread.start()
            thread.join()
        return found

    return wrapped


def test_checkpoint_committed_by_another_node_during_a_check_is_not_a_broken_chain(
        make_engagement, sealed_settings, monkeypatch):
    """Two task workers: one checks what its checkpoint adds while the other commits the
    same next checkpoint (found by bench/scale.py: 13 of 200 make_checkpoint tasks failed
    with ChainBroken). The slower one finds the other's checkpoint."""
    from terms_kit.acceptance import evidence
    from terms_kit.models import ChainCheckpoint
    from terms_kit.services.checkpoints import make_checkpoint

    _accepted(make_engagement, "Marie Durand")
    assert make_checkpoint().created
    _accepted(make_engagement, "Paul Martin")  # a new head to anchor
    other, errors = [], []
    monkeypatch.setattr(evidence, "check_since",
                        _another_node_commits_during(evidence, "check_since", errors, other))
    outcome = make_checkpoint()
    assert not errors, [getattr(e, "problems", e) for e in errors]
    assert other[0].created and not outcome.created
    assert outcome.checkpoint.pk == other[0].checkpoint.pk
    assert ChainCheckpoint.objects.count() == 2
    assert not evidence.check_checkpoints()


def test_verify_while_another_node_commits_a_checkpoint_finds_nothing_wrong(
        make_engagement, sealed_settings, monkeypatch):
    """``termskit verify`` lists the stored checkpoints while a worker commits the next one:
    the check reads the rows before the files, so the new row never shows up without its
    files (read the other way round, it looked deleted)."""
    from terms_kit.acceptance import evidence
    from terms_kit.services.checkpoints import make_checkpoint

    _accepted(make_engagement, "Marie Durand")
    assert make_checkpoint().created
    _accepted(make_engagement, "Paul Martin")
    other, errors = [], []
    monkeypatch.setattr(evidence, "stored_checkpoints",
                        _another_node_commits_during(evidence, "stored_checkpoints", errors,
                                                     other))
    problems = evidence.check_checkpoints()
    assert not errors, [getattr(e, "problems", e) for e in errors]
    assert other[0].created and not problems
