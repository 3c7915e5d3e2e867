"""Clause library and terms builder (issue 14): snippets, isolation over HTTP, sandbox, builder,
publication gate, freezing, diff and the re-consent list."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Revision

from terms_kit.compliance.terms_topics import NotPublishable
from terms_kit.models import BuiltClause, BusinessIdentity, Clause, Engagement, TermsVersion
from terms_kit.services import clauses as service
from terms_kit.services.terms import publish_terms
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_expert):
    user = make_expert("alice")
    BusinessIdentity.objects.create(owner=user, legal_name="Alice Conseil EI",
                                    email="alice@example.fr", mediator_name="CM2C",
                                    mediator_website="https://www.cm2c.net")
    return user


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edith", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def library(alice):
    call_command("termskit", "clauses", "install", "--owner", "alice")
    return {clause.starter_key: clause for clause in Clause.objects.filter(owner=alice)}


def url(name, *args):
    return reverse(f"wagtailsnippets_terms_kit_clause:{name}", args=args)


def chooser_url(name, *args):
    return reverse(f"wagtailsnippetchoosers_terms_kit_clause:{name}", args=args)


def build(owner, library, keys, audience, **extra):
    return service.build_terms(owner, title="CGV", language="fr", audience=audience,
                               clauses=[library[key] for key in keys], **extra)


# --- Starter set ----------------------------------------------------------------------------

def test_the_starter_set_is_copied_once_published_with_sources(alice, library):
    data = service.starter_clauses()
    assert len(library) == len(data) and {c["topic"] for c in data} == {
        clause.topic for clause in library.values()}
    for clause in library.values():
        assert clause.live and clause.live_revision is not None and clause.sources.strip()
        # every starter text renders in the sandbox, in both languages
        for lang in ("fr", "en"):
            service.render_text(clause.text(lang), service.clause_context(alice, lang, 30), lang,
                                clause.title, lang)
    call_command("termskit", "clauses", "install", "--owner", "alice")
    assert Clause.objects.filter(owner=alice).count() == len(data)


# --- Snippets: drafts, revisions, lock, owner ------------------------------------------------

def test_drafts_revisions_and_lock_over_http(client, alice, bob):
    client.force_login(bob)
    form = {"title": "Paiement", "topic": "payment_terms", "audience": "both",
            "text_fr": "Payable à réception par {{ expert.legal_name }}.", "text_en": "",
            "sources": "C. com. L441-10", "owner": alice.pk}
    response = client.post(url("add"), form)
    assert response.status_code == 302, response.content[:2000]
    clause = Clause.objects.get()
    assert clause.owner == bob  # set on create, whatever was posted
    assert not clause.live and clause.has_unpublished_changes  # saved as a draft
    response = client.post(url("edit", clause.pk), {**form, "title": "Paiement v2",
                                                     "action-publish": "publish"})
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.live and clause.title == "Paiement v2"
    assert Revision.objects.for_instance(clause).count() == 2
    response = client.post(url("edit", clause.pk), {**form, "title": "Paiement v3 (draft)"})
    clause.refresh_from_db()
    assert clause.title == "Paiement v2" and clause.has_unpublished_changes
    assert clause.latest_revision.as_object().title == "Paiement v3 (draft)"
    assert client.post(url("lock", clause.pk)).status_code == 302
    clause.refresh_from_db()
    assert clause.locked and clause.locked_by == bob
    assert client.post(url("unlock", clause.pk)).status_code == 302
    clause.refresh_from_db()
    assert not clause.locked


def test_hostile_clause_text_is_refused_naming_clause_and_field(client, alice):
    client.force_login(alice)
    form = {"title": "Piège", "topic": "liability", "audience": "both",
            "text_fr": "{{ ''.__class__.__mro__ }}", "text_en": "{{ expert.password }}"}
    response = client.post(url("add"), form)
    assert response.status_code == 200 and not Clause.objects.exists()
    page = response.content.decode()
    assert "Clause “Piège”, French text" in page and "Clause “Piège”, English text" in page
    assert "password" in page


def test_hostile_text_stored_past_the_form_fails_cleanly_at_build(alice, library):
    Clause.objects.filter(pk=library["liability"].pk).update(
        text_fr="{% for x in range(10) %}{{ x.__class__ }}{% endfor %}")
    clause = Clause.objects.get(pk=library["liability"].pk)
    clause.save_revision(user=alice).publish(user=alice)
    with pytest.raises(service.ClauseTextError) as caught:
        build(alice, {**library, "liability": clause}, ["liability"], "business")
    assert "Responsabilité" in str(caught.value) and "French text" in str(caught.value)
    assert not TermsVersion.objects.exists()


# --- Isolation over HTTP ---------------------------------------------------------------------

def _object_urls(clause):
    revision = clause.latest_revision
    return [
        url("edit", clause.pk), url("history", clause.pk), url("history_results", clause.pk),
        url("usage", clause.pk), url("delete", clause.pk),
        url("revisions_revert", clause.pk, revision.pk),
        url("revisions_compare", clause.pk, "live", revision.pk),
        chooser_url("chosen", clause.pk),
    ]


def _shows_any(page, clauses):
    """Links to a clause's edit page or chooser entry, or its distinctive title."""
    return [clause.pk for clause in clauses
            if url("edit", clause.pk) in page or chooser_url("chosen", clause.pk) in page
            or (len(clause.title) > 20 and clause.title in page)]


def test_another_expert_gets_404_and_never_sees_the_clauses(client, alice, bob, library):
    clause = library["penalties"]
    client.force_login(bob)
    for address in _object_urls(clause):
        assert client.get(address).status_code == 404, address
    for name in ("lock", "unlock", "unpublish", "delete"):
        assert client.post(url(name, clause.pk)).status_code == 404, name
    assert client.post(url("edit", clause.pk), {"title": "x"}).status_code == 404
    for address in (url("list"), url("list_results"), chooser_url("choose"),
                    chooser_url("choose_results"), chooser_url("chosen_multiple") +
                    f"?id={clause.pk}", url("list") + "?q=retard"):
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        assert not _shows_any(page, library.values()), address
    clause.refresh_from_db()
    assert clause.live and not clause.locked and Clause.objects.filter(owner=alice).count() == len(
        service.starter_clauses())


def test_the_owner_opens_every_page(client, alice, library):
    clause = library["penalties"]
    client.force_login(alice)
    for address in _object_urls(clause):
        assert client.get(address).status_code == 200, address
    assert "pénalités et indemnité" in client.get(url("list")).content.decode()
    page = client.get(chooser_url("choose_results")).content.decode()
    assert _shows_any(page, library.values()) and f"{len(library)} clauses" in page
    terms = build(alice, library, ["penalties"], "business")
    listing = client.get(reverse("terms_kit_termsversion:index")).content.decode()
    for name, args in (("build_new", []), ("build", [terms.pk]), ("diff", [terms.pk])):
        assert reverse(f"terms_kit_termsversion:{name}", args=args) in listing


def test_a_user_without_the_permission_is_refused(client, editor, library):
    client.force_login(editor)
    for address in [*_object_urls(library["penalties"]), url("list"), chooser_url("choose"),
                    reverse("terms_kit_termsversion:build_new")]:
        response = client.get(address)
        assert response.status_code == 403 or (
            response.status_code == 302 and "/login/" not in response.url), address


# --- Builder, publication gate, freezing -----------------------------------------------------

def test_publishing_is_blocked_by_the_required_topics(alice, library):
    business = build(alice, library, ["payment_terms", "liability"], "business")
    with pytest.raises(NotPublishable) as caught:
        publish_terms(business)
    message = str(caught.value)
    assert "Late penalties and the 40 € recovery indemnity" in message and "L441-10" in message
    consumer = build(alice, library, ["payment_terms"], "consumer")
    with pytest.raises(NotPublishable) as caught:
        publish_terms(consumer)
    rules = {finding.rule_id for finding in caught.value.findings}
    assert rules == {"terms.topic.withdrawal", "terms.topic.mediator"}
    assert "L221-18" in str(caught.value) and "L612-1" in str(caught.value)
    assert not TermsVersion.objects.filter(published_at__isnull=False).exists()


def test_the_publish_view_shows_the_missing_topic(client, alice, library):
    terms = build(alice, library, ["withdrawal"], "consumer")
    client.force_login(alice)
    response = client.post(reverse("terms_kit_termsversion:publish", args=[terms.pk]),
                           follow=True)
    assert "Consumer mediator" in response.content.decode()
    terms.refresh_from_db()
    assert not terms.is_published


def test_builder_over_http_assembles_in_order_and_publishing_freezes(client, alice, library):
    client.force_login(alice)
    chosen = {"payment_terms": 2, "penalties": 1, "deposit": 3}
    data = {"title": "CGV pro", "language": "fr", "audience": "business",
            "deposit_percent": "30"}
    for key, position in chosen.items():
        data[f"use_{library[key].pk}"] = "on"
        data[f"order_{library[key].pk}"] = position
    response = client.post(reverse("terms_kit_termsversion:build_new"), data)
    assert response.status_code == 302
    terms = TermsVersion.objects.get()
    assert [item.clause_id for item in terms.build.clauses.all()] == [
        library["penalties"].pk, library["payment_terms"].pk, library["deposit"].pk]
    assert terms.body.index("Retard de paiement") < terms.body.index("Conditions de paiement")
    assert "30\u00a0%" in terms.body  # the deposit clause's field, formatted by Babel in fr
    page = client.get(reverse("terms_kit_termsversion:build", args=[terms.pk])).content.decode()
    assert "Every required topic is covered." in page
    # a later draft of a clause is not what gets frozen; the live text is
    clause = library["payment_terms"]
    clause.text_fr = "BROUILLON"
    clause.save_revision(user=alice)
    client.post(reverse("terms_kit_termsversion:publish", args=[terms.pk]))
    terms.refresh_from_db()
    assert terms.is_published and terms.content_hash == terms.compute_hash()
    assert "BROUILLON" not in terms.body
    frozen = terms.body
    clause.latest_revision.publish(user=alice)  # the clause changes after publication
    terms.refresh_from_db()
    assert terms.body == frozen and terms.content_hash == terms.compute_hash()
    call_command("termskit", "verify", "--skip-files")


def test_the_builder_offers_only_the_experts_own_clauses(client, alice, bob, library):
    client.force_login(bob)
    page = client.get(reverse("terms_kit_termsversion:build_new")).content.decode()
    assert "Pénalités" not in page
    response = client.post(reverse("terms_kit_termsversion:build_new"), {
        "title": "x", "language": "fr", "audience": "business",
        f"use_{library['penalties'].pk}": "on"})
    assert response.status_code == 200 and not TermsVersion.objects.exists()
    terms = build(alice, library, ["penalties"], "business")
    assert client.get(reverse("terms_kit_termsversion:build", args=[terms.pk])).status_code == 404
    assert client.get(reverse("terms_kit_termsversion:diff", args=[terms.pk])).status_code == 404


# --- Diff and re-consent ---------------------------------------------------------------------

def _two_versions(alice, library, changed="penalties",
                  old=("payment_terms", "penalties", "liability", "confidentiality"),
                  new=("payment_terms", "penalties", "confidentiality", "force_majeure")):
    v1 = publish_terms(build(alice, library, old, "business"))
    clause = library[changed]
    clause.text_fr += " Texte ajouté en 2027."
    clause.save_revision(user=alice).publish(user=alice)
    v2 = publish_terms(build(alice, library, new, "business", based_on=v1))
    return v1, v2


def test_diff_clause_by_clause(client, alice, library):
    v1, v2 = _two_versions(alice, library)
    states = {change.title: change.state for change in service.diff_versions(v1, v2)}
    assert states == {"Conditions de paiement": "same",
                      "Retard de paiement : pénalités et indemnité forfaitaire de 40\u00a0€": "changed",
                      "Confidentialité": "same", "Force majeure": "added",
                      "Responsabilité": "removed"}
    changed = next(c for c in service.diff_versions(v1, v2) if c.state == "changed")
    assert ("+", changed.new_text.splitlines()[-1]) in changed.lines
    assert ("-", changed.old_text.splitlines()[-1]) in changed.lines
    assert ("+", changed.new_text.splitlines()[0]) not in changed.lines  # unchanged line
    client.force_login(alice)
    page = client.get(reverse("terms_kit_termsversion:diff", args=[v2.pk])).content.decode()
    assert "Texte ajouté en 2027." in page and "tk-diff-changed" in page
    assert "tk-diff-removed" in page and "tk-diff-added" in page


def test_reconsent_lists_only_active_engagements_on_the_old_version(client, alice, bob, library,
                                                                    make_engagement):
    v1, v2 = _two_versions(alice, library)
    accepted = make_engagement("S2", owner=alice)
    running = make_engagement("S3", owner=alice)
    draft = make_engagement("S2", owner=alice)
    other_version = make_engagement("S2", owner=alice)
    bobs = make_engagement("S2", owner=bob)
    Engagement.objects.filter(pk__in=[accepted.pk, draft.pk, bobs.pk, running.pk]).update(
        terms_version=v1)
    Engagement.objects.filter(pk__in=[accepted.pk, other_version.pk, bobs.pk]).update(
        status=Status.ACCEPTED)
    Engagement.objects.filter(pk=running.pk).update(status=Status.IN_PROGRESS)
    listed = list(service.reconsent_engagements(v2))
    assert {e.pk for e in listed} == {accepted.pk, running.pk}
    client.force_login(alice)
    page = client.get(reverse("terms_kit_termsversion:diff", args=[v2.pk])).content.decode()
    assert "Clients to ask again" in page


def test_no_reconsent_when_only_a_non_material_clause_changed(alice, library, make_engagement):
    clauses = ("payment_terms", "penalties", "confidentiality")
    v1, v2 = _two_versions(alice, library, changed="confidentiality", old=clauses,
                           new=(*clauses, "force_majeure"))  # force majeure: not material
    accepted = make_engagement("S2", owner=alice)
    Engagement.objects.filter(pk=accepted.pk).update(terms_version=v1, status=Status.ACCEPTED)
    states = {change.title: change.state for change in service.diff_versions(v1, v2)}
    assert states["Confidentialité"] == "changed" and states["Force majeure"] == "added"
    assert service.material_changes(v2) == []
    assert not service.reconsent_engagements(v2).exists()
    assert BuiltClause.objects.filter(build__terms_version=v2).count() == 4


def test_removing_a_material_clause_asks_for_consent_again(alice, library):
    v1, v2 = _two_versions(alice, library, changed="confidentiality")
    assert [(c.title, c.state) for c in service.material_changes(v2)] == [
        ("Responsabilité", "removed")]


def test_bulk_actions_neither_touch_nor_name_another_experts_clauses(client, alice, bob,
                                                                     library):
    clause = library["penalties"]
    client.force_login(bob)
    address = reverse("wagtail_bulk_action", args=["terms_kit", "clause", "delete"]) + (
        f"?id={clause.pk}&next=/admin/")
    response = client.get(address)
    assert response.status_code in (200, 302, 403, 404)
    assert clause.title not in response.content.decode()
    client.post(address)
    assert Clause.objects.filter(pk=clause.pk).exists()
    client.force_login(alice)
    assert clause.title in client.get(address).content.decode()
    client.post(address)
    assert not Clause.objects.filter(pk=clause.pk).exists()


def test_a_scheduled_clause_reaches_the_builder_only_once_live(alice):
    import datetime

    from django.utils import timezone

    clause = Clause.objects.create(owner=alice, title="Report", topic="force_majeure",
                                   text_fr="Texte.", live=False)
    clause.go_live_at = timezone.now() + datetime.timedelta(days=1)
    revision = clause.save_revision(user=alice)
    revision.publish(user=alice)
    clause.refresh_from_db()
    assert not clause.live and clause not in service.usable_clauses(alice)
    past = timezone.now() - datetime.timedelta(minutes=1)  # the day has come
    revision.refresh_from_db()
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled")
    clause.refresh_from_db()
    assert clause.live and clause in service.usable_clauses(alice)


def _clause_url_names():
    """Every URL name of the clause snippet and its chooser, read from the URL configuration:
    a view Wagtail (or this app) adds later shows up here."""
    from django.urls import get_resolver

    found = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace and namespace.endswith("_terms_kit_clause"):
                found.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


def test_every_snippet_view_is_in_the_isolation_tests(alice, bob, library):
    """The isolation tests above cover every view of the clause snippet and chooser; a new one
    fails here until it is added to them. The scheduled-publication view (unschedule) is
    checked here: another expert can neither open it nor cancel the expert's schedule."""
    import datetime

    from django.test import Client
    from django.utils import timezone

    clause = library["force_majeure"]
    clause.go_live_at = timezone.now() + datetime.timedelta(days=2)
    scheduled = clause.save_revision(user=alice)
    scheduled.publish(user=alice)  # a go-live date ahead: scheduled, not live yet
    scheduled.refresh_from_db()
    assert scheduled.approved_go_live_at is not None
    other = Client()
    other.force_login(bob)
    unschedule = url("revisions_unschedule", clause.pk, scheduled.pk)
    assert other.get(unschedule).status_code == 404
    assert other.post(unschedule).status_code == 404
    scheduled.refresh_from_db()
    assert scheduled.approved_go_live_at is not None  # still scheduled
    for address in (url("revisions_compare", clause.pk, "earliest", "latest"),
                    url("revisions_compare", clause.pk, scheduled.pk, "latest")):
        assert other.get(address).status_code == 404, address
    owner = Client()
    owner.force_login(alice)
    assert owner.get(unschedule).status_code == 200

    covered = {f"wagtailsnippets_terms_kit_clause:{name}" for name in (
        # test_another_expert_gets_404_and_never_sees_the_clauses (object views, listings)
        "edit", "history", "history_results", "usage", "delete", "revisions_revert",
        "revisions_compare", "lock", "unlock", "unpublish", "list", "list_results",
        # this test
        "revisions_unschedule",
        # test_drafts_revisions_and_lock_over_http: a clause added belongs to its author
        "add")} | {f"wagtailsnippetchoosers_terms_kit_clause:{name}" for name in (
            "choose", "choose_results", "chosen", "chosen_multiple",
            # test_the_chooser_creates_no_clause
            "create")}
    assert _clause_url_names() == covered


def test_the_chooser_creates_no_clause(client, alice, bob):
    """Clauses are created in the library (the owner is the author); the chooser's creation
    URL refuses (it used to fail with a server error) and creates nothing."""
    client.force_login(bob)
    form = {"title": "Clause de Bob", "topic": "force_majeure", "audience": "both",
            "text_fr": "Texte de Bob.", "owner": alice.pk}
    for response in (client.get(chooser_url("create")),
                     client.post(chooser_url("create"), form)):
        # Wagtail's admin answers a refused permission with a redirect to the dashboard
        assert (response.status_code, response.get("Location")) in ((403, None), (302, "/admin/"))
    assert not Clause.objects.exists()
