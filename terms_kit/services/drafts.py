"""Draft engagements built step by step by the wizard: each valid step is stored at once.

Why no separate draft table: the engagement needs an identity and a client, and the first
two wizard steps are exactly those. Step 1 saves the expert's business identity (a real
record, pre-filled next time); step 2 creates the client and the draft engagement together.
From then on every step writes into that draft, so nothing typed in a valid step is ever
only in a browser or a session.

Two tabs: every write compares the ``lock_version`` the form was loaded with to the stored
one (under a row lock) and refuses a stale write with ``DraftConflict``.
"""

import datetime

from django.db import transaction

from ..exceptions import DraftConflict, NotADraft
from ..models import (
    BusinessIdentity,
    Client,
    Engagement,
    EngagementLine,
    Milestone,
    WarningAcknowledgement,
    WizardState,
)
from ..status import Status
from .acceptance import send_to_client
from .compliance_gate import unacknowledged_warnings

# Proposed at the service step, where the expert can change it (C. civ. 1116-1117: an offer
# with no expiry lapses after "a reasonable time", which nobody can compute).
PROPOSED_VALIDITY = datetime.timedelta(days=30)


def _assign(instance, values):
    for name, value in values.items():
        setattr(instance, name, value)


def _changes_stored(instance, values):
    # Compare with the stored row: a validated form has already changed the instance.
    stored = type(instance).objects.filter(pk=instance.pk).values(*values).get()
    return any(stored[name] != value for name, value in values.items())


def _update_or_copy(instance, values, engagement=None):
    """Apply ``values`` to an identity or client, unless another engagement refers to it.

    What a client was sent must keep saying what it said, and another draft must not change
    behind the expert's back: a record used by any engagement other than ``engagement`` (the
    draft being written) is left as it is and the changes go into a new record.
    """
    if instance.pk and _changes_stored(instance, values):
        others = instance.engagements.all()
        if engagement is not None:
            others = others.exclude(pk=engagement.pk)
        if others.exists():
            instance.pk = instance.id = None
            instance._state.adding = True
    _assign(instance, values)
    instance.save()
    return instance


@transaction.atomic
def save_identity(owner, data, identity_pk=None):
    """Create one of ``owner``'s business identities, or update one no engagement uses yet
    (wizard step 1 of a new draft)."""
    if identity_pk:
        identity = BusinessIdentity.objects.select_for_update().get(pk=identity_pk, owner=owner)
    else:
        identity = BusinessIdentity(owner=owner)
    return _update_or_copy(identity, data)


@transaction.atomic
def create_draft(owner, identity, step_data, client=None):
    """Create the draft engagement from the client step (wizard step 2).

    ``client`` is one of the owner's clients chosen to start from, else a new one is made.
    """
    if identity.owner_id != owner.pk or (client is not None and client.owner_id != owner.pk):
        raise BusinessIdentity.DoesNotExist
    client = _update_or_copy(client or Client(owner=owner), step_data["client"])
    engagement = Engagement(owner=owner, identity=identity, client=client)
    # Title and description are asked at the service step; a draft may lack them until then.
    _assign(engagement, step_data.get("engagement", {}))
    engagement.validity_date = engagement.issue_date + PROPOSED_VALIDITY
    engagement.save()
    WizardState.objects.create(engagement=engagement, completed_steps=["identity", "client"])
    return engagement


@transaction.atomic
def save_step(engagement, step_key, step_data, expected_lock_version):
    """Store one valid step into the draft; refuse it if the draft moved since it was loaded.

    ``step_data`` groups the cleaned answers by where they go: ``identity``, ``client``,
    ``engagement`` (fields), ``lines`` and ``milestones`` (lists replacing the current ones),
    ``answers`` (profession answers kept with the wizard state).
    """
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if locked.status != Status.DRAFT:
        raise NotADraft(f"Engagement {locked.pk} has been sent and can no longer change.")
    if locked.lock_version != expected_lock_version:
        raise DraftConflict(locked, expected_lock_version)

    if "identity" in step_data:
        locked.identity = _update_or_copy(locked.identity, step_data["identity"], locked)
    if "client" in step_data:
        locked.client = _update_or_copy(locked.client, step_data["client"], locked)
    _assign(locked, step_data.get("engagement", {}))
    if step_key == "terms" and locked.terms_version_id is None:
        # No CGV chosen: the default text that fits the client (business or consumer).
        from .terms import default_terms_version

        locked.terms_version = default_terms_version(locked.owner, locked.client.kind,
                                                     locked.language)
    locked.save()  # bumps lock_version, even for a step that only touched related rows
    if "lines" in step_data:
        _replace_rows(locked, EngagementLine, step_data["lines"])
    if "milestones" in step_data:
        _replace_rows(locked, Milestone, step_data["milestones"])

    state, _ = WizardState.objects.select_for_update().get_or_create(engagement=locked)
    if step_key not in state.completed_steps:
        state.completed_steps.append(step_key)
    if "answers" in step_data:
        state.answers = {**state.answers, **step_data["answers"]}
    state.save()
    return locked


def _replace_rows(engagement, model, rows):
    # A draft's rows have no identity of their own worth keeping: replace them in order.
    model.objects.filter(engagement=engagement).delete()
    model.objects.bulk_create(
        model(engagement=engagement, sort_order=position, **row)
        for position, row in enumerate(rows)
    )


@transaction.atomic
def acknowledge_warnings(engagement, warnings, user):
    """Record, insert-only, that ``user`` read these warnings and chose to go on."""
    pending = unacknowledged_warnings(engagement, warnings)
    return [
        WarningAcknowledgement.objects.create(
            engagement=engagement, rule_id=w.rule_id, field=w.field or "", message=w.message,
            source=w.source or "", acknowledged_by=user,
            acknowledged_by_label=user.get_username(),
        )
        for w in pending
    ]


@transaction.atomic
def send_draft(engagement, user, expected_lock_version, base_url=None):
    """Send the draft the expert reviewed to its client.

    A page older than the draft (another tab changed it since the review was shown) gets
    ``DraftConflict``: the expert must see what they send. The sending itself, with the
    compliance gate (no error, every warning acknowledged, checked on the locked row), is
    the acceptance feature's ``send_to_client``: number, documents, link e-mailed.
    """
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if locked.status != Status.DRAFT:
        raise NotADraft(f"Engagement {locked.pk} has already been sent.")
    if locked.lock_version != expected_lock_version:
        raise DraftConflict(locked, expected_lock_version)
    sent = send_to_client(locked, user, base_url=base_url)
    engagement.status, engagement.number = locked.status, locked.number
    return sent
