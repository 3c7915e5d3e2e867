"""Duplicate an engagement as a new draft; revise a sent quote (over HTTP, the client's link
tested over HTTP too)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import Engagement, StatusChange
from terms_kit.status import Origin, Status
from tests.conftest import acknowledge_warnings

pytestmark = pytest.mark.django_db


def action(name, engagement):
    return reverse(f"terms_kit_engagement:{name}", args=[engagement.pk])


def review_of(link):
    return reverse("terms_kit:client_review", args=[link.token])


def test_duplicate_makes_a_new_unnumbered_draft_with_the_same_terms(client, sent):
    engagement, _link = sent("S2")
    client.force_login(engagement.owner)
    response = client.post(action("duplicate", engagement))
    copy = Engagement.objects.exclude(pk=engagement.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("terms_kit_wizard_review", args=[copy.pk])
    assert copy.status == Status.DRAFT and copy.number == "" and copy.revises is None
    assert copy.issue_date == timezone.localdate()
    assert (copy.client_id, copy.identity_id, copy.terms_version_id) == (
        engagement.client_id, engagement.identity_id, engagement.terms_version_id)
    assert copy.totals == engagement.totals
    assert [(m.label, m.amount) for m in copy.milestones.all()] == [
        (m.label, m.amount) for m in engagement.milestones.all()]
    assert not copy.access_links.exists() and not copy.status_changes.exists()
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT  # the original is untouched


def test_revising_a_sent_quote_supersedes_it_when_the_revision_is_sent(
        client, sent, django_capture_on_commit_callbacks):
    old, old_link = sent("S2")
    expert = old.owner
    client.force_login(expert)
    assert client.get(review_of(old_link)).status_code == 200
    response = client.post(action("revise", old))
    revision = Engagement.objects.get(revises=old)
    assert response["Location"] == reverse("terms_kit_wizard_review", args=[revision.pk])
    # A second click gives the same revision, not another.
    client.post(action("revise", old))
    assert Engagement.objects.filter(revises=old).count() == 1
    # Until the revision is sent, the old quote stays on offer.
    old.refresh_from_db()
    assert old.status == Status.SENT
    assert client.get(review_of(old_link)).status_code == 200
    status_page = client.get(action("status", revision)).content.decode()
    assert f"Revision of quote {old.number}" in status_page
    acknowledge_warnings(revision)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(action("send", revision)).status_code == 302
    revision.refresh_from_db()
    old.refresh_from_db()
    assert revision.status == Status.SENT and revision.number != old.number
    assert old.status == Status.SUPERSEDED
    change = StatusChange.objects.get(engagement=old, to_status=Status.SUPERSEDED)
    assert change.origin == Origin.ACCEPTANCE and revision.number in change.note
    # The old link no longer opens the quote: the client is told it was replaced.
    client.logout()
    page = client.get(review_of(old_link))
    assert page.status_code in (404, 410)
    assert "replaced" in page.content.decode()


def test_a_revision_is_not_sent_once_the_client_accepted_the_old_quote(
        client, sent, django_capture_on_commit_callbacks):
    from terms_kit.services.revisions import revise
    from terms_kit.services.status import change_status

    old, _link = sent("S1")
    revision = revise(old, old.owner)
    change_status(old, Status.ACCEPTED, origin=Origin.ACCEPTANCE)  # the client signed first
    acknowledge_warnings(revision)
    client.force_login(old.owner)
    client.post(action("send", revision))
    revision.refresh_from_db()
    old.refresh_from_db()
    assert revision.status == Status.DRAFT and revision.number == ""
    assert old.status == Status.ACCEPTED


def test_only_a_sent_quote_can_be_revised(client, make_engagement, expert):
    draft = make_engagement("S1")
    client.force_login(expert)
    client.post(action("revise", draft))
    assert not Engagement.objects.filter(revises=draft).exists()


def test_another_expert_can_neither_duplicate_nor_revise(client, sent, make_expert):
    engagement, _link = sent("S1")
    client.force_login(make_expert("bob"))
    assert client.post(action("duplicate", engagement)).status_code == 404
    assert client.post(action("revise", engagement)).status_code == 404
    assert Engagement.objects.count() == 1
