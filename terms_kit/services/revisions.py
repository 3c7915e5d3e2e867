"""Duplicate an engagement as a new draft; revise a sent quote as a new quote.

A duplicate copies the terms (parties, service, lines, milestones, payment conditions and
the wizard's answers) into a new unnumbered draft dated today; nothing of the original's
history, links, evidence or documents follows. A revision is a duplicate that ``revises``
the sent quote: when the revision is sent, the old quote becomes "superseded" and its
client link stops working, in the same transaction (``supersede_revised``), so a client can
never accept both; if the client accepted the old quote meanwhile, the revision is not sent.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import TermsKitError
from ..models import Engagement, WizardState
from ..status import Origin, Status
from .status import change_status

NOT_COPIED = {"id", "number", "number_year", "number_sequence", "status", "created_at",
              "updated_at", "lock_version", "revises", "issue_date", "validity_date"}


@transaction.atomic
def duplicate(engagement, user, *, revises=None):
    """A new draft with the same terms as ``engagement``, owned by its owner."""
    source = Engagement.objects.get(pk=engagement.pk)
    today = timezone.localdate()
    values = {f.attname: getattr(source, f.attname) for f in Engagement._meta.concrete_fields
              if f.name not in NOT_COPIED and f.attname not in NOT_COPIED}
    values["issue_date"] = today
    if source.validity_date and source.issue_date:
        values["validity_date"] = today + datetime.timedelta(
            days=max((source.validity_date - source.issue_date).days, 0))
    copy = Engagement(**values, status=Status.DRAFT, revises=revises)
    copy.save()
    for line in source.lines.all():
        line.pk = None
        line.engagement = copy
        line.save()
    for milestone in source.milestones.all():
        milestone.pk = None
        milestone.engagement = copy
        milestone.save()
    state = WizardState.objects.filter(engagement=source).first()
    if state is not None:
        WizardState.objects.create(engagement=copy, completed_steps=list(state.completed_steps),
                                   answers=dict(state.answers))
    return copy


def revise(engagement, user):
    """A new draft revising the sent quote ``engagement`` (which stays on offer until the
    revision is sent)."""
    if engagement.status != Status.SENT:
        raise TermsKitError(_("Only a quote sent and not yet answered can be revised; "
                              "duplicate this one as a new draft instead."))
    open_revision = Engagement.objects.filter(revises=engagement, status=Status.DRAFT).first()
    if open_revision is not None:
        return open_revision  # one revision in progress at a time
    return duplicate(engagement, user, revises=engagement)


def supersede_revised(engagement, user):
    """Called by send_to_client inside its transaction, once ``engagement`` is sent."""
    from .acceptance import revoke_links

    if not engagement.revises_id:
        return
    old = Engagement.objects.select_for_update().get(pk=engagement.revises_id)
    if old.status == Status.SUPERSEDED:
        return
    if old.status != Status.SENT:
        raise TermsKitError(_(
            "Quote %(number)s is now %(status)s: this revision cannot replace it. Duplicate "
            "it as a new draft if you still want to send it.")
            % {"number": old.number, "status": old.get_status_display()})
    change_status(old, Status.SUPERSEDED, user=user,
                  note=f"superseded by {engagement.number}", origin=Origin.ACCEPTANCE)
    revoke_links(old)
