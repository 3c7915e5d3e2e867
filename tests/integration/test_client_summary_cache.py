"""The client page's summary comes from the shared cache after the first view, and is never
stale: the acceptance (which freezes the rights the page shows) changes the entry."""

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.db import connection
from django.test.utils import CaptureQueriesContext

from terms_kit.acceptance import presentation
from terms_kit.services.acceptance import accepted_rights
from terms_kit.spec import export_engagement

pytestmark = pytest.mark.django_db


def fresh_summary(engagement, lang):
    return presentation.summary(export_engagement(engagement), lang,
                                rights=accepted_rights(engagement))


def view(client, token):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("review", token))
    assert response.status_code == 200
    return response, len(queries)


def test_the_second_view_reads_the_summary_from_the_cache(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token, lang = sent_link.token, sent_link.link.language
    first, first_queries = view(client, token)
    second, second_queries = view(client, token)
    assert second_queries < first_queries
    assert first.context["summary"] == fresh_summary(engagement, lang)
    # The second view is the whole page from the cache (test_client_first_view_cache.py).
    assert first.context["quote_html"] in second.content.decode()

    verify_email(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accept", token), accept_form(["terms", "deposit"]))
    engagement.refresh_from_db()
    accepted, _ = view(client, token)
    assert accepted.context["accepted"] is not None
    assert accepted.context["summary"] == fresh_summary(engagement, lang)
