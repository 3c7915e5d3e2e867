"""Two clicks at once on a re-consent link, and two sends at once, on PostgreSQL."""

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.test import Client
from payments_helpers import accept
from reconsent_helpers import NoCapture, on_version, versions

from terms_kit.models import AccessLink, ConsentRecord, ReconsentRequest, SealedFile
from terms_kit.services import reconsent
from tests.conftest import requires_postgres, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]


@pytest.fixture
def listed(sent, text_pdfs, sealed_settings):
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (1000, 60), "code": (10, 60), "accept": (1000, 60), "verify": (10, 60)}}
    engagement, _link = accept(sent, "S2", None, NoCapture())
    v1, v2 = versions(engagement.owner)
    return on_version(engagement, v1), v2


def test_two_clicks_at_once_store_one_consent_record(listed):
    engagement, v2 = listed
    sent = reconsent.send_reconsent(v2, engagement, engagement.owner)
    verified = Client()
    verify_email(verified, sent.token)
    form = accept_form(["terms"], "Marie Durand")

    def click(index):
        browser = Client()
        browser.cookies = verified.cookies
        return browser.post(url("accept", sent.token), form).status_code

    statuses, errors = run_together(click, 2)
    assert not errors and statuses == [302, 302]
    assert ConsentRecord.objects.filter(kind="terms_reconsent").count() == 1
    assert SealedFile.objects.filter(record__kind="terms_reconsent").count() == 1
    assert ReconsentRequest.objects.get().state == "accepted"


def test_two_sends_at_once_make_one_request_and_one_link(listed):
    engagement, v2 = listed

    def send_link(index):
        return reconsent.send_reconsent(v2, engagement, engagement.owner).link is not None

    results, errors = run_together(send_link, 3)
    assert not errors and sorted(results) == [False, False, True]
    assert ReconsentRequest.objects.count() == 1
    assert AccessLink.objects.filter(reconsent__isnull=False).count() == 1
