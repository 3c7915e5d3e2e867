"""An identity edited while a quote that uses it is being sent (PostgreSQL, real threads).

Whichever comes first, the quote sent says what its identity row says: either the edit went
in place before the sending (and the quote shows it), or it waited and became a new version.
"""

import threading
import time

import pytest
from django.db import connection

from terms_kit.models import BusinessIdentity, Engagement
from terms_kit.services import records
from terms_kit.services.acceptance import send_to_client
from tests.conftest import acknowledge_warnings, requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]


# The edit starts at once, or while the sending renders its documents (it takes seconds).
@pytest.mark.parametrize("attempt,delay", [(0, 0), (1, 1.0), (2, 2.5)])
def test_an_edit_racing_a_sending_never_changes_what_was_sent(make_engagement, sealed_settings,
                                                              attempt, delay):
    engagement = make_engagement("S1")
    acknowledge_warnings(engagement)
    identity_pk = engagement.identity_id
    barrier = threading.Barrier(2)
    errors = []

    def send():
        try:
            barrier.wait()
            send_to_client(Engagement.objects.get(pk=engagement.pk), engagement.owner)
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    def edit():
        try:
            changed = BusinessIdentity.objects.get(pk=identity_pk)
            changed.phone = f"01 02 03 04 0{attempt}"
            barrier.wait()
            time.sleep(delay)
            records.save_record(changed)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engagement.refresh_from_db()
    quote = engagement.documents.get(kind="quote")
    sent_identity = BusinessIdentity.objects.get(pk=engagement.identity_id)
    assert engagement.status == "sent"
    assert quote.snapshot["spec"]["identity"]["phone"] == sent_identity.phone
    if sent_identity.phone != f"01 02 03 04 0{attempt}":  # the edit came second: a new version
        assert BusinessIdentity.objects.get(supersedes=sent_identity).phone == (
            f"01 02 03 04 0{attempt}")
