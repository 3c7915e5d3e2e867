"""Identities, clients and terms versions under a sent quote: never changed, only superseded.

A quote that left the draft state says what it said: the identity, client and terms version
it points at are what the client saw (and, once accepted, signed). Changing such a record
makes a new one (``supersedes`` points back at it); the sent quotes keep the old one, and the
expert's drafts that used it move to the new one, because the expert is correcting their own
details and expects the quotes they are still writing to carry the correction. A published
terms version is always frozen: its changes become a new draft version, to be published.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import ImmutableRecord
from ..models import BusinessIdentity, Client, Engagement, TermsVersion
from ..status import Status


def sent_engagements(record):
    """The non-draft engagements that point at ``record`` (identity, client or terms)."""
    return record.engagements.exclude(status=Status.DRAFT)


def is_frozen(record):
    """True when ``record`` may no longer change in place."""
    if record.pk is None:
        return False
    if isinstance(record, TermsVersion) and record.is_published:
        return True
    return sent_engagements(record).exists()


_RELATION = {BusinessIdentity: "identity", Client: "client", TermsVersion: "terms_version"}


@transaction.atomic
def save_record(changed):
    """Save an edited identity, client or terms version (its pk is the stored record's).

    In place while no sent quote uses it; otherwise as a new version, returned. Decided under
    a row lock, so a quote sent meanwhile is covered.
    """
    model = type(changed)
    # The engagements that use the record first: a quote being sent holds its row until it
    # is sent, so the edit waits and then sees it frozen (same order as send_to_client's
    # lock on the engagement: no deadlock).
    list(Engagement.objects.select_for_update().filter(**{_RELATION[model]: changed.pk})
         .order_by("pk").values_list("pk", flat=True))
    stored = model.objects.select_for_update().get(pk=changed.pk)
    if not is_frozen(stored):
        changed.save()
        return changed
    changed.pk = changed.id = None
    changed._state.adding = True
    changed.supersedes = stored
    if isinstance(changed, TermsVersion):
        # A new draft: the expert reads it again and publishes it (it gets the next number).
        changed.version = None
        changed.published_at = None
        changed.content_hash = ""
        changed.save()
        return changed
    changed.save()
    Engagement.objects.filter(
        status=Status.DRAFT, **{_RELATION[model]: stored}
    ).update(**{_RELATION[model]: changed})
    return changed


def ensure_deletable(record):
    """Raise ``ImmutableRecord`` with a message for the expert when ``record`` must stay."""
    if isinstance(record, TermsVersion) and record.is_published:
        raise ImmutableRecord(_("A published terms version is kept for the record."))
    numbers = list(sent_engagements(record).values_list("number", flat=True)[:5])
    if numbers:
        raise ImmutableRecord(_(
            "It cannot be deleted: sent quotes refer to it (%(numbers)s). It stays as the "
            "record of what those clients were sent.") % {"numbers": ", ".join(numbers)})
