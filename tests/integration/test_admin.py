"""The admin over HTTP: each expert sees and changes only their own records."""

import pytest
from django.urls import reverse

from terms_kit.models import BusinessIdentity, Client, Engagement, TermsVersion
from terms_kit.services.status import change_status
from terms_kit.status import Origin, Status

pytestmark = pytest.mark.django_db

VIEWSETS = {
    Engagement: "terms_kit_engagement",
    Client: "terms_kit_client",
    BusinessIdentity: "terms_kit_identity",
    TermsVersion: "terms_kit_termsversion",
}


@pytest.fixture
def alice(make_expert):
    return make_expert("alice")


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


@pytest.fixture
def bobs_engagement(make_engagement, bob):
    return make_engagement("S2", owner=bob)


@pytest.fixture
def alices_engagement(make_engagement, alice):
    return make_engagement("S1", owner=alice)


def records_of(engagement):
    return {
        Engagement: engagement,
        Client: engagement.client,
        BusinessIdentity: engagement.identity,
        TermsVersion: engagement.terms_version,
    }


@pytest.mark.parametrize("model", list(VIEWSETS), ids=lambda m: m.__name__)
def test_index_lists_only_the_experts_own_records(client, alice, alices_engagement,
                                                  bobs_engagement, model):
    client.force_login(alice)
    response = client.get(reverse(f"{VIEWSETS[model]}:index"))
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["object_list"]}
    assert listed == {records_of(alices_engagement)[model].pk}


@pytest.mark.parametrize("model", list(VIEWSETS), ids=lambda m: m.__name__)
@pytest.mark.parametrize("action", ["edit", "inspect", "delete", "history", "usage"])
def test_another_experts_record_is_not_found(client, alice, bobs_engagement, model, action):
    client.force_login(alice)
    target = records_of(bobs_engagement)[model]
    url = reverse(f"{VIEWSETS[model]}:{action}", args=[target.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert model.objects.filter(pk=target.pk).exists()


def test_another_experts_status_page_and_publish_action_are_not_found(client, alice,
                                                                      bobs_engagement):
    client.force_login(alice)
    status_url = reverse("terms_kit_engagement:status", args=[bobs_engagement.pk])
    assert client.get(status_url).status_code == 404
    assert client.post(status_url, {"to_status": "sent"}).status_code == 404
    publish_url = reverse("terms_kit_termsversion:publish", args=[bobs_engagement.terms_version.pk])
    assert client.post(publish_url).status_code == 404
    bobs_engagement.refresh_from_db()
    assert bobs_engagement.status == Status.DRAFT


def test_engagement_listing_links_to_status_and_history(client, alice, alices_engagement):
    client.force_login(alice)
    html = client.get(reverse("terms_kit_engagement:index")).content.decode()
    assert reverse("terms_kit_engagement:status", args=[alices_engagement.pk]) in html
    assert "Draft" in html  # an unnumbered quote says so instead of "(blank)"


def test_search_does_not_leak_other_experts_records(client, alice, alices_engagement,
                                                    bobs_engagement):
    client.force_login(alice)
    response = client.get(reverse("terms_kit_engagement:index"), {"q": "Audit"})
    assert list(response.context["object_list"]) == []


def test_superuser_sees_every_expert(client, django_user_model, alices_engagement,
                                     bobs_engagement):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    response = client.get(reverse("terms_kit_engagement:index"))
    assert {e.pk for e in response.context["object_list"]} == {
        alices_engagement.pk, bobs_engagement.pk}


def engagement_form_data(engagement, **overrides):
    data = {
        "identity": engagement.identity_id, "client": engagement.client_id,
        "terms_version": engagement.terms_version_id, "language": "fr",
        "issue_date": "2026-11-23", "validity_date": "2026-12-23", "channel": "distance",
        "title": "New quote", "service_description": "Work", "payment_model": "on_completion",
        "deposit_label": "", "due_basis": "invoice_date", "operation_category": "services",
        "unused_credit": "refunded",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Day of work", "lines-0-quantity": "1", "lines-0-unit": "jour",
        "lines-0-unit_price": "500.00", "lines-0-vat_rate": "20.00", "lines-0-ORDER": "1",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_expert_creates_an_engagement_owned_by_them(client, alice, alices_engagement):
    client.force_login(alice)
    response = client.post(reverse("terms_kit_engagement:add"),
                           engagement_form_data(alices_engagement))
    assert response.status_code == 302, response.context["form"].errors
    created = Engagement.objects.get(title="New quote")
    assert created.owner == alice and created.status == Status.DRAFT
    assert created.lines.get().unit_price == 500


def test_choosing_another_experts_client_is_refused(client, alice, alices_engagement,
                                                    bobs_engagement):
    client.force_login(alice)
    data = engagement_form_data(alices_engagement, client=bobs_engagement.client_id)
    response = client.post(reverse("terms_kit_engagement:add"), data)
    assert response.status_code == 200
    assert "client" in response.context["form"].errors
    assert not Engagement.objects.filter(title="New quote").exists()


def test_a_sent_quote_cannot_be_edited_or_deleted(client, alice, alices_engagement):
    change_status(alices_engagement, Status.SENT, origin=Origin.ACCEPTANCE)
    client.force_login(alice)
    edit = reverse("terms_kit_engagement:edit", args=[alices_engagement.pk])
    response = client.post(edit, engagement_form_data(alices_engagement, title="Changed"))
    assert response.status_code == 302
    client.post(reverse("terms_kit_engagement:delete", args=[alices_engagement.pk]))
    alices_engagement.refresh_from_db()
    assert alices_engagement.title != "Changed"


def test_a_draft_can_be_deleted(client, alice, alices_engagement):
    client.force_login(alice)
    client.post(reverse("terms_kit_engagement:delete", args=[alices_engagement.pk]))
    assert not Engagement.objects.filter(pk=alices_engagement.pk).exists()


def test_status_page_changes_status_through_the_service(client, alice, alices_engagement):
    client.force_login(alice)
    url = reverse("terms_kit_engagement:status", args=[alices_engagement.pk])
    page = client.get(url)
    # Sending belongs to the acceptance service (compliance gate), so it is no choice here.
    assert [v for v, _ in page.context["form"].fields["to_status"].choices] == ["cancelled"]
    refused = client.post(url, {"to_status": "sent", "note": "by e-mail"})
    assert refused.status_code == 200 and "to_status" in refused.context["form"].errors
    alices_engagement.refresh_from_db()
    assert alices_engagement.status == Status.DRAFT and not alices_engagement.number
    client.post(url, {"to_status": "cancelled", "note": "client changed their mind"})
    alices_engagement.refresh_from_db()
    assert alices_engagement.status == Status.CANCELLED
    # Replaying the same POST: "cancelled" is no longer a choice, so nothing changes.
    response = client.post(url, {"to_status": "cancelled"})
    assert response.status_code == 200 and response.context["form"].errors
    assert alices_engagement.status_changes.count() == 1


def test_published_terms_are_frozen_in_the_admin(client, alice, alices_engagement):
    terms = alices_engagement.terms_version
    client.force_login(alice)
    edit = reverse("terms_kit_termsversion:edit", args=[terms.pk])
    response = client.post(edit, {"title": "Other", "language": "fr", "body": "Other text"})
    assert response.status_code == 302
    client.post(reverse("terms_kit_termsversion:delete", args=[terms.pk]))
    terms.refresh_from_db()
    assert terms.body != "Other text" and terms.content_hash == terms.compute_hash()


def test_publish_a_draft_terms_version_from_the_admin(client, alice, alices_engagement):
    client.force_login(alice)
    response = client.post(reverse("terms_kit_termsversion:add"),
                           {"title": "CGV 2027", "language": "fr", "body": "# Prix\nTexte."})
    assert response.status_code == 302
    draft = TermsVersion.objects.get(title="CGV 2027")
    assert draft.owner == alice and not draft.is_published
    client.post(reverse("terms_kit_termsversion:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.version == 2 and draft.content_hash == draft.compute_hash()


def test_a_milestone_plan_that_does_not_add_up_is_refused_in_the_form(client, alice,
                                                                       alices_engagement):
    client.force_login(alice)
    data = engagement_form_data(
        alices_engagement, payment_model="milestones",
        **{"milestones-TOTAL_FORMS": "1", "milestones-0-label": "Only part",
           "milestones-0-amount": "100.00", "milestones-0-ORDER": "1"},
    )
    response = client.post(reverse("terms_kit_engagement:add"), data)
    assert response.status_code == 200
    assert "add up to 100.00 excl. VAT but the lines total 500.00" in str(
        response.context["form"].non_field_errors())
    assert not Engagement.objects.filter(title="New quote").exists()


def test_a_deposit_model_without_a_deposit_is_refused_in_the_form(client, alice,
                                                                   alices_engagement):
    client.force_login(alice)
    data = engagement_form_data(alices_engagement, payment_model="deposit", deposit_percent="0")
    response = client.post(reverse("terms_kit_engagement:add"), data)
    assert "deposit_percent" in response.context["form"].errors
