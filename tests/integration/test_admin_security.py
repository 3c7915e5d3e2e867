"""The admin as a hostile user would try it, over HTTP.

Three people: alice (an expert who owns the records), bob (another expert: he gets 404s) and
an editor (the stock Wagtail "Editors" group: admin access, no terms-kit permission: 403 or
Wagtail's "no permission" redirect). Nothing they try may create or change anything.
"""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from terms_kit.models import (
    AccessLink,
    BusinessIdentity,
    Client,
    DocumentRequest,
    Engagement,
    ExpertTemplate,
    IssuedDocument,
    OwnedLogEntry,
    StatusChange,
    TermsVersion,
    WizardState,
)
from terms_kit.services.status import change_status
from terms_kit.status import Origin, Status
from tests.wizard_answers import STEP_ORDER

pytestmark = pytest.mark.django_db

HOME = "/admin/"


@pytest.fixture
def alice(make_expert):
    return make_expert("alice")


@pytest.fixture
def bob(make_expert):
    return make_expert("bob")


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edith", password="pw-edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def draft(make_engagement, alice):
    """Alice's draft, with every wizard step saved (so the review can be opened)."""
    engagement = make_engagement("S2", owner=alice)
    WizardState.objects.create(engagement=engagement, completed_steps=list(STEP_ORDER))
    return engagement


@pytest.fixture
def issued(draft):
    return IssuedDocument.objects.create(
        owner=draft.owner, engagement=draft, kind="quote", language="fr", template_name="t",
        template_sha256="0" * 64, snapshot={}, cache_key="0" * 64,
        docx=ContentFile(b"PK docx", name="q.docx"), docx_sha256="1" * 64,
        pdf=ContentFile(b"%PDF-1.4 quote", name="q.pdf"), pdf_sha256="2" * 64,
    )


def counts():
    models = (Engagement, Client, BusinessIdentity, TermsVersion, StatusChange, AccessLink,
              DocumentRequest, ExpertTemplate, IssuedDocument)
    return {model.__name__: model.objects.count() for model in models}


def fingerprint(engagement):
    fresh = Engagement.objects.select_related("identity", "client", "terms_version").get(
        pk=engagement.pk)
    return (fresh.status, fresh.number, fresh.lock_version, fresh.title,
            fresh.identity.legal_name, fresh.client.name, fresh.terms_version.body)


def record_url(viewset, action, attr):
    return lambda e, d: reverse(f"{viewset}:{action}", args=[getattr(e, attr)])


def listing_url(viewset, action):
    return lambda e, d: reverse(f"{viewset}:{action}")


# Each admin entry point on one of alice's records: (name, method, url(draft, issued), data).
ACTIONS = [
    ("wizard client step of a new draft", "post",
     lambda e, d: reverse("terms_kit_wizard_new_client", args=[e.identity_id]),
     {"kind": "consumer", "name": "X", "email": "x@example.com", "channel": "distance"}),
    ("wizard step", "get", lambda e, d: reverse("terms_kit_wizard_step", args=[e.pk, "service"]),
     None),
    ("wizard step save", "post",
     lambda e, d: reverse("terms_kit_wizard_step", args=[e.pk, "service"]),
     {"title": "Hijacked", "lock_version": 1}),
    ("wizard live check", "post",
     lambda e, d: reverse("terms_kit_wizard_check", args=[e.pk, "service"]), {"title": "X"}),
    ("wizard review", "get", lambda e, d: reverse("terms_kit_wizard_review", args=[e.pk]), None),
    ("wizard send", "post", lambda e, d: reverse("terms_kit_wizard_review", args=[e.pk]),
     {"action": "send", "lock_version": 1}),
    ("status page", "get", lambda e, d: reverse("terms_kit_engagement:status", args=[e.pk]),
     None),
    ("status change", "post", lambda e, d: reverse("terms_kit_engagement:status", args=[e.pk]),
     {"to_status": "cancelled"}),
    ("send to client", "post", lambda e, d: reverse("terms_kit_engagement:send", args=[e.pk]),
     {}),
    ("revoke links", "post",
     lambda e, d: reverse("terms_kit_engagement:revoke_links", args=[e.pk]), {}),
    ("signed on paper", "post",
     lambda e, d: reverse("terms_kit_engagement:paper", args=[e.pk]),
     {"signer_name": "X Y", "signed_on": "2026-01-01"}),
    ("duplicate", "post", lambda e, d: reverse("terms_kit_engagement:duplicate", args=[e.pk]),
     {}),
    ("revise", "post", lambda e, d: reverse("terms_kit_engagement:revise", args=[e.pk]), {}),
    ("documents page", "get",
     lambda e, d: reverse("terms_kit_engagement:documents", args=[e.pk]), None),
    ("generate documents", "post",
     lambda e, d: reverse("terms_kit_engagement:documents_generate", args=[e.pk]),
     {"language": "fr"}),
    ("download PDF", "get",
     lambda e, d: reverse("terms_kit_document_download", args=[d.pk, "pdf"]), None),
    ("download DOCX", "get",
     lambda e, d: reverse("terms_kit_document_download", args=[d.pk, "docx"]), None),
    ("publish terms", "post",
     lambda e, d: reverse("terms_kit_termsversion:publish", args=[e.terms_version_id]), {}),
    *[
        (f"{viewset} {action}", method, record_url(viewset, action, attr), data)
        for viewset, attr in (("terms_kit_engagement", "pk"), ("terms_kit_client", "client_id"),
                              ("terms_kit_identity", "identity_id"),
                              ("terms_kit_termsversion", "terms_version_id"))
        for action, method, data in (("edit", "get", None), ("edit", "post", {"title": "X"}),
                                     ("delete", "post", {}), ("inspect", "get", None),
                                     ("history", "get", None),
                                     ("history_results", "get", None), ("usage", "get", None))
    ],
]
# Entry points with no record of alice's in the URL: only the editor can be refused there.
NO_RECORD = [
    ("wizard index", "get", lambda e, d: reverse("terms_kit_wizard_index"), None),
    ("wizard new draft", "post", lambda e, d: reverse("terms_kit_wizard_new"),
     {"legal_name": "Edith EI"}),
    *[(f"{viewset} {action}", method, listing_url(viewset, action), data)
      for viewset in ("terms_kit_engagement", "terms_kit_client", "terms_kit_identity",
                      "terms_kit_termsversion", "terms_kit_template")
      for action, method, data in (("index", "get", None), ("add", "get", None),
                                   ("add", "post", {"name": "X", "title": "X"}))],
]


def call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data or {})


def ids(case):
    return f"{case[0]} ({case[1].upper()})"


@pytest.mark.parametrize("case", ACTIONS + NO_RECORD, ids=ids)
def test_a_user_without_terms_kit_permissions_is_refused(client, editor, draft, issued, case,
                                                          django_capture_on_commit_callbacks):
    _name, method, make_url, data = case
    before, state = counts(), fingerprint(draft)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, method, make_url(draft, issued), data)
    assert response.status_code == 403 or (
        response.status_code == 302 and response.url == HOME), response.status_code
    assert counts() == before and fingerprint(draft) == state and not mail.outbox


@pytest.mark.parametrize("case", ACTIONS, ids=ids)
def test_another_expert_gets_not_found(client, bob, draft, issued, case,
                                       django_capture_on_commit_callbacks):
    _name, method, make_url, data = case
    before, state = counts(), fingerprint(draft)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, method, make_url(draft, issued), data)
    assert response.status_code == 404
    assert counts() == before and fingerprint(draft) == state and not mail.outbox


@pytest.mark.parametrize("case", [c for c in ACTIONS if c[1] == "get"], ids=ids)
def test_the_owner_opens_every_page(client, alice, draft, issued, case):
    _name, method, make_url, data = case
    response = call(client, method, make_url(draft, issued), data)
    assert response.status_code == 302 and "/login/" in response.url  # not logged in yet
    client.force_login(alice)
    response = call(client, method, make_url(draft, issued), data)
    assert response.status_code == 200, response.status_code


def test_the_owner_acts_through_the_status_page(client, alice, draft):
    client.force_login(alice)
    status = reverse("terms_kit_engagement:status", args=[draft.pk])
    page = client.get(status).content.decode()
    assert "Send to client" in page and "What happened?" in page
    assert client.post(status, {"to_status": "cancelled"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.CANCELLED


def test_view_permission_shows_the_status_page_but_does_not_change_it(client, make_expert,
                                                                       draft):
    from django.contrib.auth.models import Permission

    reader = make_expert("reader")
    reader.user_permissions.set(Permission.objects.filter(
        codename__in=["access_admin", "view_engagement"]))
    draft.owner = reader
    Engagement.objects.filter(pk=draft.pk).update(owner=reader)
    client.force_login(reader)
    status = reverse("terms_kit_engagement:status", args=[draft.pk])
    page = client.get(status)
    assert page.status_code == 200 and "Send to client" not in page.content.decode()
    response = client.post(status, {"to_status": "cancelled"})
    assert response.status_code == 302 and response.url == HOME
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- Sending: every way goes through the compliance gate -----------------------------------

def below_the_floor(spec):
    # A half-year whose legal rate is known, and a late-penalty rate under 3 x that rate.
    spec["engagement"]["issue_date"] = "2026-05-04"
    spec["engagement"]["payment"]["late_penalty_rate"] = "1.00"


@pytest.fixture
def blocked(make_engagement, alice):
    engagement = make_engagement("S2", owner=alice, change=below_the_floor)
    WizardState.objects.create(engagement=engagement, completed_steps=list(STEP_ORDER))
    return engagement


def assert_not_sent(engagement):
    engagement.refresh_from_db()
    assert engagement.status == Status.DRAFT and not engagement.number
    assert not engagement.status_changes.exists() and not engagement.access_links.exists()
    assert not engagement.documents.exists() and not mail.outbox


def test_the_status_page_refuses_to_send_a_blocking_error(client, alice, blocked,
                                                         django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("terms_kit_engagement:send", args=[blocked.pk]),
                               follow=True)
    text = response.content.decode()
    assert "Not sent: 1 error(s) to correct" in text and "b2b.penalty_rate" in text
    assert "engagement.payment.late_penalty_rate" in text
    assert_not_sent(blocked)


def test_the_wizard_refuses_to_send_a_blocking_error(client, alice, blocked,
                                                     django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("terms_kit_wizard_review", args=[blocked.pk]),
                               {"action": "send", "lock_version": blocked.lock_version},
                               follow=True)
    assert "Not sent: 1 error(s) to correct" in response.content.decode()
    assert_not_sent(blocked)


def test_the_command_refuses_to_send_a_blocking_error(alice, blocked):
    with pytest.raises(CommandError, match=r"b2b\.penalty_rate") as caught:
        call_command("termskit", "send", str(blocked.pk), "--as", "alice")
    assert "late-penalty rate of 1 % is below the legal minimum" in str(caught.value)
    assert_not_sent(blocked)


def test_an_unacknowledged_warning_blocks_sending_until_acknowledged(
        alice, make_engagement, sealed_settings, django_capture_on_commit_callbacks):
    from tests.conftest import acknowledge_warnings

    engagement = make_engagement("S2", owner=alice)  # params.missing: a warning
    with pytest.raises(CommandError, match="To acknowledge"):
        call_command("termskit", "send", str(engagement.pk), "--as", "alice")
    assert_not_sent(engagement)
    acknowledge_warnings(engagement)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("termskit", "send", engagement.number or str(engagement.pk),
                     "--as", "alice", stdout=out)
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT and engagement.number in out.getvalue()
    assert [m.to for m in mail.outbox] == [[engagement.client.email]]


def test_the_command_sends_only_as_the_owner_with_the_permission(bob, editor, blocked):
    for username in ("bob", "edith"):
        with pytest.raises(CommandError, match="may not send"):
            call_command("termskit", "send", str(blocked.pk), "--as", username)
    with pytest.raises(CommandError, match="No user"):
        call_command("termskit", "send", str(blocked.pk), "--as", "nobody")
    assert_not_sent(blocked)


# --- Audit history: each expert sees their own ----------------------------------------------

SECRET = "Bob Confidential Client"


def admin_edit_data(client, url):
    """The edit form's current values, as the browser would post them back."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def edit_client(client, record, **changes):
    url = reverse("terms_kit_client:edit", args=[record.pk])
    data = {**admin_edit_data(client, url), **changes}
    return client.post(url, data)


@pytest.fixture
def histories(client, alice, bob, make_engagement):
    """Alice and bob each edit a client in the admin and change a status."""
    alices = make_engagement("S1", owner=alice)
    bobs = make_engagement("S2", owner=bob)
    client.force_login(bob)
    assert edit_client(client, bobs.client, name=SECRET).status_code == 302
    change_status(bobs, Status.CANCELLED, user=bob, note="bob's")
    client.force_login(alice)
    assert edit_client(client, alices.client, name='=HYPERLINK("http://evil.example","x")'
                       ).status_code == 302
    change_status(alices, Status.CANCELLED, user=alice)
    return alices, bobs


REPORTS = [
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/",
    "/admin/reports/site-history/?export=csv",
    "/admin/reports/site-history/?export=xlsx",
    "/admin/reports/aging-pages/",
    "/admin/reports/locked/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/reports/page-types-usage/",
    "/admin/pages/",
    f"/admin/search/?q={SECRET}",
    f"/admin/choose-page/search/?q={SECRET}",
    f"/admin/pages/search/?q={SECRET}",
    "/admin/terms-kit/clients/results/?q=Bob",
    "/admin/terms-kit/engagements/results/",
    "/admin/",
]


def body(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response)))
        return "\n".join(str(c.value) for row in book.active.iter_rows() for c in row)
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("url", REPORTS)
def test_reports_and_listings_show_an_expert_only_their_own(client, alice, histories, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code in (200, 302, 403, 404)
    text = body(response) if response.status_code == 200 else ""
    assert SECRET not in text and "bob" not in text.lower()


def test_site_history_lists_the_experts_own_entries(client, alice, bob, histories):
    alices, bobs = histories
    client.force_login(alice)
    text = body(client.get("/admin/reports/site-history/"))
    assert "HYPERLINK" in text and "Status changed from Draft to Cancelled" in text
    assert OwnedLogEntry.objects.filter(owner=bob).count() >= 2  # bob's are there, not shown
    client.force_login(bob)
    text = body(client.get("/admin/reports/site-history/"))
    assert SECRET in text and "HYPERLINK" not in text


def test_object_history_shows_the_status_changes(client, alice, histories):
    alices, _bobs = histories
    client.force_login(alice)
    text = client.get(reverse("terms_kit_engagement:history", args=[alices.pk])).content.decode()
    assert "Status changed from Draft to Cancelled" in text
    assert alices.status_changes.count() == 1  # the evidence, insert-only, is still there


def test_exports_neutralise_formula_cells(client, django_user_model, histories):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    rows = list(csv.reader(io.StringIO(body(
        client.get("/admin/reports/site-history/?export=csv")))))
    labels = [row[1] for row in rows[1:]]
    assert SECRET in labels  # the superuser sees everyone's
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in labels
    assert not any(label.startswith(("=", "+", "-", "@", "\t", "\r")) for label in labels)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(
        client.get("/admin/reports/site-history/?export=xlsx"))))
    values = [c.value for row in book.active.iter_rows(min_row=2) for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)


# --- Records under a sent quote are never edited in place ------------------------------------

def send(engagement):
    change_status(engagement, Status.SENT, origin=Origin.ACCEPTANCE)


def test_a_client_under_a_sent_quote_is_saved_as_a_new_version(client, alice, make_engagement):
    sent_one = make_engagement("S1", owner=alice)
    a_draft = make_engagement("S3", owner=alice)
    Engagement.objects.filter(pk=a_draft.pk).update(client=sent_one.client)
    send(sent_one)
    original = sent_one.client
    client.force_login(alice)
    url = reverse("terms_kit_client:edit", args=[original.pk])
    page = client.get(url).content.decode()
    assert "Save as a new version" in page and sent_one.number in page
    response = edit_client(client, original, kind="business", name="Renamed SARL",
                           siren="732829320")
    assert response.status_code == 302
    original.refresh_from_db()
    newer = Client.objects.get(supersedes=original)
    assert original.kind == "consumer" and original.name != "Renamed SARL"
    assert newer.name == "Renamed SARL" and newer.owner == alice
    sent_one.refresh_from_db()
    a_draft.refresh_from_db()
    assert sent_one.client == original and a_draft.client == newer
    # New quotes are written for the current version only.
    form = client.get(reverse("terms_kit_engagement:add")).context["form"]
    assert newer in form.fields["client"].queryset
    assert original not in form.fields["client"].queryset


def test_a_client_used_only_by_drafts_is_edited_in_place(client, alice, make_engagement):
    engagement = make_engagement("S1", owner=alice)
    client.force_login(alice)
    assert edit_client(client, engagement.client, name="Corrected").status_code == 302
    engagement.client.refresh_from_db()
    assert engagement.client.name == "Corrected" and not Client.objects.filter(
        supersedes__isnull=False).exists()


@pytest.mark.parametrize("viewset,attr", [("terms_kit_client", "client"),
                                          ("terms_kit_identity", "identity"),
                                          ("terms_kit_termsversion", "terms_version")])
def test_a_record_under_a_sent_quote_cannot_be_deleted(client, alice, make_engagement,
                                                       viewset, attr):
    engagement = make_engagement("S1", owner=alice)
    send(engagement)
    record = getattr(engagement, attr)
    client.force_login(alice)
    response = client.post(reverse(f"{viewset}:delete", args=[record.pk]), follow=True)
    assert "kept for the record" in response.content.decode() or (
        "sent quotes refer to it" in response.content.decode())
    assert type(record).objects.filter(pk=record.pk).exists()


def test_an_identity_under_a_sent_quote_is_saved_as_a_new_version(client, alice,
                                                                   make_engagement):
    engagement = make_engagement("S1", owner=alice)
    send(engagement)
    original = engagement.identity
    client.force_login(alice)
    url = reverse("terms_kit_identity:edit", args=[original.pk])
    response = client.post(url, {**admin_edit_data(client, url), "city": "Lille"})
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.city != "Lille"
    assert BusinessIdentity.objects.get(supersedes=original).city == "Lille"
    engagement.refresh_from_db()
    assert engagement.identity == original


def test_a_published_terms_version_is_saved_as_a_new_draft_version(client, alice,
                                                                   make_engagement):
    engagement = make_engagement("S1", owner=alice)
    terms = engagement.terms_version
    client.force_login(alice)
    url = reverse("terms_kit_termsversion:edit", args=[terms.pk])
    assert "Save as a new version" in client.get(url).content.decode()
    response = client.post(url, {"title": terms.title, "language": "fr", "body": "New text"})
    assert response.status_code == 302
    terms.refresh_from_db()
    newer = TermsVersion.objects.get(supersedes=terms)
    assert terms.body != "New text" and terms.content_hash == terms.compute_hash()
    assert newer.body == "New text" and not newer.is_published
    engagement.refresh_from_db()
    assert engagement.terms_version == terms


# --- The wizard's first step never changes an identity another engagement uses -------------

def identity_answers(identity, **changes):
    from django.forms.models import model_to_dict

    from terms_kit.wizard.forms import IdentityForm

    data = model_to_dict(identity, fields=IdentityForm._meta.fields)
    return {k: ("" if v is None else v) for k, v in {**data, **changes}.items()}


def test_the_wizard_copies_an_identity_another_draft_uses(client, alice, make_engagement):
    other = make_engagement("S1", owner=alice)
    identity = other.identity
    client.force_login(alice)
    page = client.get(reverse("terms_kit_wizard_new"))
    assert list(page.context["known_identities"]) == [identity]
    response = client.post(reverse("terms_kit_wizard_new"),
                           identity_answers(identity, city="Lille"))
    assert response.status_code == 302
    identity.refresh_from_db()
    other.refresh_from_db()
    assert identity.city != "Lille" and other.identity == identity
    assert BusinessIdentity.objects.filter(owner=alice, city="Lille").count() == 1


def test_the_wizard_can_start_a_new_identity_or_pick_one(client, alice, make_engagement):
    first = make_engagement("S1", owner=alice).identity
    second = make_engagement("S2", owner=alice).identity
    client.force_login(alice)
    new = client.get(reverse("terms_kit_wizard_new"), {"identity_from": "new"})
    assert new.context["form"].instance.pk is None
    picked = client.get(reverse("terms_kit_wizard_new"), {"identity_from": first.pk})
    assert picked.context["form"].instance == first
    # Unchanged answers reuse the chosen identity as it is.
    response = client.post(reverse("terms_kit_wizard_new"),
                           {**identity_answers(first), "identity_from": first.pk})
    assert response.url == reverse("terms_kit_wizard_new_client", args=[first.pk])
    assert BusinessIdentity.objects.filter(owner=alice).count() == 2 and second.pk


def test_the_wizard_offers_no_other_experts_identity(client, alice, bob, make_engagement):
    bobs = make_engagement("S2", owner=bob).identity
    client.force_login(alice)
    assert client.get(reverse("terms_kit_wizard_new"),
                      {"identity_from": bobs.pk}).status_code == 404


def test_a_drafts_own_identity_is_edited_in_place_by_the_wizard(client, alice, draft):
    client.force_login(alice)
    identity = draft.identity
    draft.refresh_from_db()
    response = client.post(reverse("terms_kit_wizard_step", args=[draft.pk, "identity"]),
                           {**identity_answers(identity, city="Lille"),
                            "lock_version": draft.lock_version})
    assert response.status_code == 302
    identity.refresh_from_db()
    draft.refresh_from_db()
    assert identity.city == "Lille" and draft.identity == identity


# --- The demo expert is a plain member of the Experts group --------------------------------

def test_the_experts_group_has_what_an_expert_needs(client, django_user_model, draft):
    from terms_kit.permissions import ensure_experts_group

    expert = django_user_model.objects.create_user("gina", password="pw", is_staff=True)
    expert.groups.add(ensure_experts_group())
    client.force_login(expert)
    assert client.get(reverse("terms_kit_wizard_new")).status_code == 200
    assert client.get(reverse("terms_kit_template:index")).status_code == 200
    # Alice's draft stays hers.
    assert client.get(reverse("terms_kit_engagement:status", args=[draft.pk])
                      ).status_code == 404


def test_the_upgrade_moves_wagtails_shared_history_to_the_owners(alice, make_engagement):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    engagement = make_engagement("S1", owner=alice)
    for record in (engagement.client, engagement):
        ModelLogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(record), label=str(record),
            action="wagtail.edit", timestamp=engagement.created_at, object_id=str(record.pk))
    migration = importlib.import_module("terms_kit.migrations.0008_sec_admin")
    migration.move_history(apps, None)
    assert not ModelLogEntry.objects.filter(content_type__app_label="terms_kit").exists()
    moved = OwnedLogEntry.objects.filter(action="wagtail.edit")
    assert {(e.owner_id, e.object_id) for e in moved} == {
        (alice.pk, str(engagement.client.pk)), (alice.pk, str(engagement.pk))}
