from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..exceptions import ImmutableRecord
from ..models import TermsVersion


def default_terms_version(owner, client_kind, lang="fr"):
    """The owner's published default CGV for this kind of client (documents/default_terms.py):
    the version already published with exactly that text, else a new one, published now."""
    from ..documents.default_terms import default_terms

    lang = "en" if lang == "en" else "fr"
    title, body = default_terms(client_kind, lang)
    existing = TermsVersion.objects.filter(owner=owner, title=title, language=lang, body=body,
                                           published_at__isnull=False).order_by("-version")
    if existing.exists():
        return existing.first()
    terms = TermsVersion.objects.create(owner=owner, title=title, language=lang, body=body)
    return publish_terms(terms)


@transaction.atomic
def publish_terms(terms):
    """Freeze a draft terms version: give it the next version number and its content hash."""
    locked = TermsVersion.objects.select_for_update().get(pk=terms.pk)
    if locked.is_published:
        raise ImmutableRecord(f"{locked} is already published.")
    # Lock the expert's versions too, so two publications cannot take the same number.
    list(TermsVersion.objects.select_for_update().filter(owner=locked.owner).values_list("pk"))
    # A version built from clauses: required topics checked, clause texts frozen (clauses.py).
    from .clauses import freeze_build

    freeze_build(locked)
    last = TermsVersion.objects.filter(owner=locked.owner).aggregate(m=Max("version"))["m"] or 0
    values = {
        "version": last + 1,
        "published_at": timezone.now(),
        "content_hash": locked.compute_hash(),
    }
    TermsVersion.objects.filter(pk=locked.pk).update(**values)
    terms.body = locked.body
    for field, value in values.items():
        setattr(terms, field, value)
    return terms
