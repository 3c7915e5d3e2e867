"""An engagement accepted through the real services whose terms are a built version (v1),
and a v2 that changes a material clause (the penalties): the client is on the re-consent list."""

import contextlib

from django.core.management import call_command

from terms_kit.models import Clause, Engagement
from terms_kit.services import clauses
from terms_kit.services.terms import publish_terms

CLAUSES = ("payment_terms", "penalties", "liability", "confidentiality")


def library(owner):
    call_command("termskit", "clauses", "install", "--owner", owner.username)
    return {clause.starter_key: clause for clause in Clause.objects.filter(owner=owner)}


def versions(owner):
    """(v1, v2): v2 replaces v1 and changes the penalties clause, which is material."""
    found = library(owner)
    v1 = publish_terms(clauses.build_terms(owner, title="CGV", language="fr",
                                           audience="business",
                                           clauses=[found[k] for k in CLAUSES]))
    penalties = found["penalties"]
    penalties.text_fr += " Texte ajouté en 2027."
    penalties.save_revision(user=owner).publish(user=owner)
    v2 = publish_terms(clauses.build_terms(owner, title="CGV", language="fr",
                                           audience="business",
                                           clauses=[found[k] for k in CLAUSES], based_on=v1))
    return v1, v2


def on_version(engagement, version):
    """The accepted engagement as if it had been sent with ``version`` (the scenario's own
    terms are typed by hand, not built)."""
    Engagement.objects.filter(pk=engagement.pk).update(terms_version=version)
    engagement.refresh_from_db()
    return engagement


class NoCapture:
    """Stands for django_capture_on_commit_callbacks in threads and transactional tests."""

    def __call__(self, execute=True):
        return contextlib.nullcontext()
