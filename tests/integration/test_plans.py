"""Instalment plans (échéanciers): offered, accepted online through the acceptance service,
kept, missed, completed; bad inputs; the admin over HTTP with a second expert.

Documents here are text PDFs (tests/text_pdf.py) except in the PDF/A test, which uses
LibreOffice like the other document tests.
"""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from plans_helpers import client_accepts, days, make_overdue, today

from terms_kit.acceptance import evidence
from terms_kit.documents.formatting import money
from terms_kit.dunning import pauses
from terms_kit.dunning.run import run as dunning_run
from terms_kit.exceptions import AlreadyDone, PlanRefused
from terms_kit.models import (
    AccessLink,
    ConsentKind,
    ConsentRecord,
    InstalmentPlan,
    IssuedDocument,
    PlanAcceptance,
    PlanEvent,
    PlanInstalment,
)
from terms_kit.services import payments, plans

pytestmark = pytest.mark.django_db


def pay(engagement, amount, on):
    return payments.record_payment(engagement, amount=amount, paid_on=on, method="transfer")


def offer(engagement, invoices, rows, capture):
    with capture(execute=True):
        return plans.offer_plan(engagement, invoices=invoices, instalments=rows,
                                user=engagement.owner)


# --- Figures ------------------------------------------------------------------------------------

def test_even_split_gives_the_remaining_cents_to_the_last_instalment():
    # 1 000.00 / 3 = 333.333...: 333.33 twice, then 1 000.00 - 666.66 = 333.34.
    rows = plans.even_split(D("1000.00"), 3, datetime.date(2027, 1, 31))
    assert [a for _d, a in rows] == [D("333.33"), D("333.33"), D("333.34")]
    # One a month from the first date; a month without the 31st takes its last day.
    assert [d for d, _a in rows] == [datetime.date(2027, 1, 31), datetime.date(2027, 2, 28),
                                     datetime.date(2027, 3, 31)]
    assert sum(a for _d, a in plans.even_split(D("480.00"), 4, today())) == D("480.00")


# --- The whole path -----------------------------------------------------------------------------

def test_plan_offered_accepted_paused_paid_then_missed_resumes_dunning(
        overdue, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    engagement, invoice = overdue()
    debt = plans.outstanding(invoice)
    assert debt == invoice.net and debt > 0
    assert invoice.due_date < today()
    # Three instalments: an even split of the debt, the first in a week.
    rows = plans.even_split(debt, 3, days(7))
    share = (debt / 3).quantize(D("0.01"), rounding="ROUND_DOWN")
    assert [a for _d, a in rows] == [share, share, debt - 2 * share]
    mail.outbox.clear()
    sent = offer(engagement, [invoice], rows, capture)
    plan = sent.plan
    assert plan.state == "offered" and plan.number == f"ECH-{today().year}-0001"
    assert plan.debt == debt
    # The document: issued and hashed like every document, the snapshot's hash stored.
    document = plan.document
    assert document.kind == "instalment_plan" and len(document.pdf_sha256) == 64
    assert plan.snapshot["instalments"][2]["amount"] == str(debt - 2 * share)
    assert sent.link.plan == plan and list(sent.link.documents.all()) == [document]
    # The client is e-mailed the link; the offer alone pauses nothing.
    assert sent.url in mail.outbox[-1].body and plan.number in mail.outbox[-1].subject
    assert pauses.active_pause(invoice, today()) is None

    accepted = client_accepts(sent, capture)
    plan.refresh_from_db()
    assert plan.state == "accepted" and accepted.plan == plan
    record = accepted.record
    assert record.kind == ConsentKind.PLAN_ACCEPTANCE and record.hash_version == 2
    payload = json.loads(record.payload)
    # The consent sentence is stored verbatim, with the plan's figures.
    wording = plans.plan_consents(plan, sent.link.language)[0].wording
    assert payload["consents"] == [{"key": "plan", "wording": wording, "checked": True}]
    assert plan.number in wording
    assert payload["plan"]["snapshot_sha256"] == plan.snapshot_sha256
    assert payload["documents"][0]["pdf_sha256"] == document.pdf_sha256
    # The record joins the one consent chain, which still verifies; the pack is sealed.
    assert not evidence.check_chain()
    assert accepted.sealed.record == record
    # Dunning of the covered invoice pauses while the plan is kept.
    pause = pauses.active_pause(invoice, today())
    assert pause is not None and pause.source == "plan" and pause.until == rows[-1][0]
    assert plans.progress(plan).next_due.position == 1

    # Instalment 1 paid on its date, recorded with `termskit pay` as any payment: it goes
    # to the covered invoice's instalment and so to the plan.
    with capture(execute=True):
        call_command("termskit", "pay", engagement.number, "--amount", str(rows[0][1]),
                     "--method", "transfer", "--date", rows[0][0].isoformat())
    state = plans.progress(plan, rows[0][0])
    assert [r.state for r in state.rows] == ["paid", "upcoming", "upcoming"]
    assert state.next_due.position == 2 and state.paid == rows[0][1]
    # The day after: kept; a second check that day changes nothing (idempotent).
    day_after = rows[0][0] + datetime.timedelta(days=1)
    assert plans.check_plans(day_after) == {"kept": 1, "missed": 0, "completed": 0}
    assert plans.check_plans(day_after) == {"kept": 0, "missed": 0, "completed": 0}
    plan.refresh_from_db()
    assert plan.state == "kept"
    # While the plan is kept the daily dunning run leaves the invoice alone (paused).
    report = dunning_run(on=day_after, execute=False)
    assert report.paused == 1 and not [d for d in report.decisions
                                       if d.invoice_id == invoice.pk]

    # Instalment 2 not paid: the day after its date the plan is missed, the pause ends,
    # dunning counts from that instalment's due date, the expert is told.
    mail.outbox.clear()
    missed_day = rows[1][0] + datetime.timedelta(days=1)
    assert pauses.active_pause(invoice, missed_day) is not None
    with capture(execute=True):
        assert payments.payments_sweep(missed_day)  # the sweep runs the plan check
    plan.refresh_from_db()
    assert (plan.state, plan.missed_position, plan.missed_on) == ("missed", 2, missed_day)
    assert pauses.active_pause(invoice, missed_day) is None
    assert plans.ladder_base(invoice) == rows[1][0]
    # The ladder now counts from the missed instalment's date, not the invoice's (which
    # was already more than 30 days late): nothing the day after, the first reminder at
    # that date + 7 days (the default ladder's J+7).
    assert not dunning_run(on=missed_day, execute=False).decisions
    [decision] = dunning_run(on=rows[1][0] + datetime.timedelta(days=7), execute=False).decisions
    assert (decision.invoice_id, decision.step, decision.planned_on) == (
        invoice.pk, "reminder_1", rows[1][0] + datetime.timedelta(days=7))
    told = [m for m in mail.outbox if engagement.identity.email in m.to]
    assert len(told) == 1 and plan.number in told[0].subject
    assert plans.check_plans(missed_day + datetime.timedelta(days=1)) == {
        "kept": 0, "missed": 0, "completed": 0}
    assert [e.to_state for e in PlanEvent.objects.filter(plan=plan)] == [
        "offered", "accepted", "kept", "missed"]


def test_a_plan_fully_paid_settles_the_invoices_and_completes(
        overdue, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    engagement, invoice = overdue()
    debt = plans.outstanding(invoice)
    rows = [(days(3), D("100.00")), (days(33), debt - D("100.00"))]
    sent = offer(engagement, [invoice], rows, capture)
    client_accepts(sent, capture)
    with capture(execute=True):
        pay(engagement, "100.00", days(3))
        pay(engagement, debt - D("100.00"), days(20))  # early: the rest at once
    plan = InstalmentPlan.objects.get(pk=sent.plan.pk)
    assert plan.state == "completed" and plan.completed_on == days(20)
    invoice.instalment.refresh_from_db()
    assert invoice.instalment.state == "paid" and plans.outstanding(invoice, days(20)) == 0
    assert pauses.active_pause(invoice, days(21)) is None
    assert plans.ladder_base(invoice) is None


# --- Bad input: clear messages, nothing stored --------------------------------------------------

def _refused(engagement, invoices, rows):
    before = (InstalmentPlan.objects.count(), PlanInstalment.objects.count(),
              IssuedDocument.objects.count(), AccessLink.objects.count())
    with pytest.raises(PlanRefused) as refused:
        plans.offer_plan(engagement, invoices=invoices, instalments=rows, user=engagement.owner)
    assert (InstalmentPlan.objects.count(), PlanInstalment.objects.count(),
            IssuedDocument.objects.count(), AccessLink.objects.count()) == before
    return refused.value.errors


def test_bad_plans_are_refused_with_a_specific_message_and_nothing_stored(
        overdue, django_capture_on_commit_callbacks):
    engagement, invoice = overdue()
    debt = plans.outstanding(invoice)
    half = (debt / 2).quantize(D("0.01"))
    errors = _refused(engagement, [invoice], [(days(5), "-10.00"), (days(35), debt)])
    assert "must be above 0 (it is -10.00)" in errors["instalment_1_amount"]
    errors = _refused(engagement, [invoice], [(days(-1), half), (days(30), debt - half)])
    assert "is in the past" in errors["instalment_1_date"]
    errors = _refused(engagement, [invoice], [(days(30), half), (days(10), debt - half)])
    assert "must come after instalment 1" in errors["instalment_2_date"]
    # Short by 10.00: the message says by how much.
    errors = _refused(engagement, [invoice], [(days(5), half), (days(35), debt - half - 10)])
    assert money(D("10.00"), "en") in errors["total"] and "less than the debt" in errors["total"]
    errors = _refused(engagement, [], [(days(5), debt)])
    assert "at least one unpaid invoice" in errors["invoices"]


def test_an_invoice_paid_or_in_another_live_plan_is_refused(
        overdue, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    engagement, invoice = overdue()
    debt = plans.outstanding(invoice)
    first = offer(engagement, [invoice], [(days(5), debt)], capture)
    errors = _refused(engagement, [invoice], [(days(5), debt)])
    assert first.plan.number in errors["invoices"] and "already covered" in errors["invoices"]
    # Withdrawn, the offer frees the invoice; its link stops working.
    plans.withdraw_plan(first.plan, user=engagement.owner)
    assert not AccessLink.objects.get(pk=first.link.pk).is_usable()
    with capture(execute=True):
        pay(engagement, debt, today())
    errors = _refused(engagement, [invoice], [(days(5), debt)])
    assert "already paid" in errors["invoices"]


def test_an_invoice_of_another_expert_is_refused(
        accepted, overdue, make_expert, make_engagement, django_capture_on_commit_callbacks):
    engagement, invoice = overdue()
    other = make_engagement("S2", owner=make_expert("bob"))
    errors = _refused(other, [invoice], [(days(5), plans.outstanding(invoice))])
    assert "not one of your invoices" in errors["invoices"]


# --- Acceptance through the acceptance flow ----------------------------------------------------

def test_a_plan_is_accepted_once_and_needs_the_browsers_code(
        overdue, django_capture_on_commit_callbacks):
    from terms_kit.exceptions import IncompleteAcceptance

    capture = django_capture_on_commit_callbacks
    engagement, invoice = overdue()
    sent = offer(engagement, [invoice], [(days(5), plans.outstanding(invoice))], capture)
    with pytest.raises(IncompleteAcceptance) as incomplete:
        plans.accept_plan(sent.link, ticked={"plan": True}, full_name="Marie Durand",
                          ip_address="127.0.0.1", user_agent="pytest", session_proof="forged")
    assert "code" in incomplete.value.errors
    assert not ConsentRecord.objects.filter(kind="plan_acceptance").exists()
    client_accepts(sent, capture)
    with pytest.raises(AlreadyDone):
        client_accepts(sent, capture)
    assert PlanAcceptance.objects.count() == 1
    assert ConsentRecord.objects.filter(kind="plan_acceptance").count() == 1


def test_client_page_shows_the_plan_and_what_is_due_next(
        client, overdue, django_capture_on_commit_callbacks):
    from acceptance_helpers import accept_form, url, verify_email

    capture = django_capture_on_commit_callbacks
    engagement, invoice = overdue()
    debt = plans.outstanding(invoice)
    sent = offer(engagement, [invoice], plans.even_split(debt, 2, days(10)), capture)
    page = client.get(url("review", sent.token))
    assert page.status_code == 200
    body = page.content.decode()
    assert sent.plan.number in body and invoice.number in body and 'id="send-code"' in body
    verify_email(client, sent.token)
    with capture(execute=True):
        response = client.post(url("accept", sent.token), accept_form(["plan"]), follow=True)
    body = response.content.decode()
    assert 'id="accepted"' in body and 'id="next-due"' in body
    assert InstalmentPlan.objects.get(pk=sent.plan.pk).state == "accepted"
    sealed = client.get(url("sealed", sent.token, "plan_acceptance"))
    assert sealed.status_code == 200 and sealed["Content-Type"] == "application/pdf"
    # The engagement's own page shows the accepted plan and what is due next too.
    own = client.get(url("review", engagement.client_token)).content.decode()
    assert 'id="plan-summary"' in own and sent.plan.number in own
    # The plan's link neither withdraws from the contract nor serves the quote's pack.
    assert client.get(url("withdraw", sent.token)).status_code == 404
    assert client.get(url("sealed", sent.token, "acceptance")).status_code == 404


# --- Admin over HTTP ---------------------------------------------------------------------------

def test_admin_offers_a_plan_and_a_second_expert_gets_404(
        client, overdue, make_expert, django_user_model, django_capture_on_commit_callbacks):
    engagement, invoice = overdue()
    page = reverse("terms_kit_engagement_plans", args=[engagement.pk])
    bob = make_expert("bob")
    client.force_login(bob)
    assert client.get(page).status_code == 404
    assert client.post(page, {"invoices": [invoice.pk], "count": 2,
                              "first_date": days(5).isoformat()}).status_code == 404
    assert not InstalmentPlan.objects.exists()
    # Admin access without terms-kit's permissions (Wagtail's stock "Editors"): refused
    # (Wagtail answers a PermissionDenied in its admin with its "no permission" redirect).
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("edith", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    for response in (client.get(page), client.post(page, {
            "invoices": [invoice.pk], "count": 2, "first_date": days(5).isoformat()})):
        assert response.status_code == 403 or (
            response.status_code == 302 and response["Location"] == "/admin/")
    assert not InstalmentPlan.objects.exists()
    client.force_login(engagement.owner)
    assert client.get(page).status_code == 200
    # The even split first fills the lines (nothing stored), then the plan is offered.
    preview = client.post(page, {"invoices": [invoice.pk], "count": 2,
                                 "first_date": days(5).isoformat(), "action": "preview"})
    assert preview.status_code == 200 and not InstalmentPlan.objects.exists()
    assert days(5).isoformat() in preview.content.decode()
    bad = client.post(page, {"invoices": [invoice.pk], "count": 2,
                             "first_date": days(5).isoformat(), "action": "offer",
                             "rows": f"{days(5).isoformat()} 1.00"})
    assert bad.status_code == 400 and "less than the debt" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page, {"invoices": [invoice.pk], "count": 2,
                                  "first_date": days(5).isoformat(), "action": "offer"})
    assert done.status_code == 302
    plan = InstalmentPlan.objects.get()
    assert plan.instalments.count() == 2 and plan.state == "offered"
    # Bob can neither see nor withdraw it, nor download its document.
    client.force_login(bob)
    withdraw = reverse("terms_kit_plan_withdraw", args=[engagement.pk, plan.pk])
    assert client.post(withdraw).status_code == 404
    assert client.get(reverse("terms_kit_document_download",
                              args=[plan.document_id, "pdf"])).status_code == 404
    plan.refresh_from_db()
    assert plan.state == "offered"
    client.force_login(engagement.owner)
    assert client.post(withdraw).status_code == 302
    plan.refresh_from_db()
    assert plan.state == "withdrawn"


# --- The document, through LibreOffice; the evidence checks out ---------------------------------

def test_plan_document_is_pdfa_with_each_invoice_instalment_and_the_lapse_rule(
        accepted, django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from documents_helpers import flat, fonts_without_embedding, pdf_text, pdfa_identification

    capture = django_capture_on_commit_callbacks
    engagement, invoice = make_overdue(accepted, capture)  # real LibreOffice documents
    debt = plans.outstanding(invoice)
    # S2's first milestone invoice: 4 800.00 less the 4 320.00 deposit = 480.00, in three
    # monthly instalments of 160.00 (480.00 / 3, no cent left over).
    assert debt == D("480.00")
    rows = plans.even_split(debt, 3, days(10))
    assert [a for _d, a in rows] == [D("160.00")] * 3
    sent = offer(engagement, [invoice], rows, capture)
    with sent.plan.document.pdf.storage.open(sent.plan.document.pdf.name, "rb") as handle:
        pdf = handle.read()
    assert pdfa_identification(pdf) == ("2", "B") and fonts_without_embedding(pdf) == []
    text = flat(pdf_text(pdf))
    for expected in ("Échéancier de paiement", sent.plan.number, invoice.number,
                     "480,00 €", "160,00 €", "devient caduc", "la totalité du solde"):
        assert expected in text, expected
    assert "[" not in text  # no placeholder left
    client_accepts(sent, capture)
    call_command("termskit", "verify")  # exits non-zero on any altered record, file or seal
