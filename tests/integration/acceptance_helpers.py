"""Shared set-up of the acceptance tests: a seal certificate, a sent engagement, the client's
steps through the real views, and reading what the locmem outbox received."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from terms_kit.documents import sealing
from terms_kit.services.acceptance import send_to_client


@pytest.fixture(scope="session")
def seal_files(tmp_path_factory):
    return sealing.make_self_signed(tmp_path_factory.mktemp("seal"))


@pytest.fixture
def sealed_settings(settings, seal_files):
    cache.clear()  # the rate limits count in the cache: each test starts from zero
    cert, key = seal_files
    settings.TERMS_KIT = {**settings.TERMS_KIT, "SEAL_CERTIFICATE": str(cert),
                          "SEAL_KEY": str(key)}
    return settings


@pytest.fixture
def sent(make_engagement, sealed_settings, django_capture_on_commit_callbacks):
    """Factory: scenario ``key`` sent to its client; returns (engagement, SentLink)."""

    def make(key="S2", owner=None, change=None):
        engagement = make_engagement(key, owner=owner, change=change)
        with django_capture_on_commit_callbacks(execute=True):
            sent_link = send_to_client(engagement, engagement.owner)
        return engagement, sent_link

    return make


def url(name, token, *args):
    return reverse(f"terms_kit:client_{name}", args=[token, *args])


def last_code():
    for message in reversed(mail.outbox):
        found = re.search(r"\b(\d{6})\b", message.body)
        if found:
            return found.group(1)
    raise AssertionError("no code e-mail in the outbox")


def verify_email(client, token):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code e-mail leaves on commit
        assert client.post(url("code", token)).status_code == 302
    response = client.post(url("verify_code", token), {"code": last_code()})
    assert response.status_code == 302
    return response


def accept_form(consent_keys, full_name="Julien Petit"):
    data = {f"consent_{key}": "on" for key in consent_keys}
    data["full_name"] = full_name
    return data
