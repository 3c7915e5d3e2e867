import pytest

from terms_kit.exceptions import ImmutableRecord
from terms_kit.models import TermsVersion
from terms_kit.services.terms import publish_terms
from terms_kit.spec import export_engagement

pytestmark = pytest.mark.django_db


def test_publishing_freezes_the_text_and_numbers_versions(expert):
    first = TermsVersion.objects.create(owner=expert, body="# Prix\nv1")
    second = TermsVersion.objects.create(owner=expert, body="# Prix\nv2")
    publish_terms(second)
    publish_terms(first)
    assert (second.version, first.version) == (1, 2)
    assert first.content_hash == first.compute_hash() != second.content_hash
    first.body = "changed"
    with pytest.raises(ImmutableRecord):
        first.save()
    with pytest.raises(ImmutableRecord):
        first.delete()
    with pytest.raises(ImmutableRecord):
        publish_terms(first)
    assert TermsVersion.objects.get(pk=first.pk).body == "# Prix\nv1"


def test_a_draft_can_still_be_edited_and_deleted(expert):
    draft = TermsVersion.objects.create(owner=expert, body="v1")
    draft.body = "v1 fixed"
    draft.save()
    draft.delete()
    assert not TermsVersion.objects.exists()


def test_a_new_version_never_changes_what_an_earlier_engagement_refers_to(make_engagement,
                                                                          expert):
    engagement = make_engagement("S1")
    before = export_engagement(engagement)["terms"]
    newer = TermsVersion.objects.create(owner=expert, body="# Nouvelles CGV\nTexte 2027")
    publish_terms(newer)
    engagement.refresh_from_db()
    assert export_engagement(engagement)["terms"] == before
    assert before["version"] == 1 and newer.version == 2


def test_versions_are_numbered_per_expert(make_expert):
    a, b = make_expert("a"), make_expert("b")
    va = publish_terms(TermsVersion.objects.create(owner=a, body="a"))
    vb = publish_terms(TermsVersion.objects.create(owner=b, body="b"))
    assert va.version == vb.version == 1
