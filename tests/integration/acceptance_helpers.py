"""The client's steps through the real views, and reading what the locmem outbox received.
(The fixtures seal_files, sealed_settings and sent are in tests/conftest.py.)"""

import re

from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape


def as_shown(message, language="fr"):
    """What a client page shows for ``message``: the scenarios' clients read French."""
    with translation.override(language):
        return escape(translation.gettext(message)).encode()


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


def session_proof(client, token):
    """The proof the client's browser session got when it typed the code (for direct calls)."""
    from terms_kit.services.acceptance import resolve_link

    return client.session.get(f"terms_kit_proof_{resolve_link(token).pk}")


def accept_form(consent_keys, full_name="Julien Petit", signer_role="Directrice générale"):
    """The sign form as a browser posts it (the role field exists for company clients only;
    a consumer's page has none and the server ignores it)."""
    data = {f"consent_{key}": "on" for key in consent_keys}
    data["full_name"] = full_name
    data["signer_role"] = signer_role
    return data
