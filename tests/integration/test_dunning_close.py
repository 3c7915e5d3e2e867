"""Closing issue 11's gaps: the engagement's status follows a sent formal notice, the client
page shows the amount due with interest, and a notice approved later is dated the day it goes.

S2 (notice_helpers.s2_unpaid): F-0003 asks 7 200.00, due 2026-01-31, 3 000.00 paid on
2026-02-20, contract rate 12.15 % (business). Interest, worked by hand:
  7 200.00 × 12.15 % × 20 / 365 (02-01 → 02-20)              = 47.9342
  4 200.00 × 12.15 % × 10 / 365 (02-21 → 03-02)              = 13.9808  → on 03-02: 61.92
  4 200.00 × 12.15 % × 13 / 365 (02-21 → 03-05)              = 18.1751  → on 03-05: 66.11
  + 40.00 indemnity (business): due on 03-02 4 301.92, on 03-05 4 306.11.
S5 (consumer): 900.00 due 2026-03-02; no interest, no fee before a formal notice; after a
notice of 2026-04-01, on 04-21: 900.00 × 2.62 % × 20 / 365 = 1.2920 → 1.29, due 901.29.
2026H2's legal rate is not in the dated figures: a date after 2026-06-30 cannot be computed.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from terms_kit.documents.formatting import money
from terms_kit.dunning import actions, presentation
from terms_kit.dunning.notices import issue_formal_notice
from terms_kit.models import (
    AccessLink,
    ActionState,
    DunningAction,
    FormalNotice,
    SentMessage,
    StatusChange,
    StepKind,
    StepMode,
)
from terms_kit.services import payments
from terms_kit.status import Origin, Status
from tests.integration.notice_helpers import s2_unpaid, s5_unpaid

pytestmark = pytest.mark.django_db
MAR2, MAR5 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 5)
JUL15 = datetime.date(2026, 7, 15)


@pytest.fixture
def keep_link(accepted):
    """``accepted`` that also keeps the client's link (its token opens the client page)."""
    links = []

    def make(key="S2", change=None):
        engagement, sent_link = accepted(key, change)
        links.append(sent_link)
        return engagement, sent_link
    make.links = links
    return make


@pytest.fixture
def s2(keep_link, django_capture_on_commit_callbacks, text_pdfs):
    engagement, paid, unpaid = s2_unpaid(keep_link, django_capture_on_commit_callbacks)
    return engagement, paid, unpaid, keep_link.links[-1]


@pytest.fixture
def s5(keep_link, django_capture_on_commit_callbacks, text_pdfs):
    engagement, invoice = s5_unpaid(keep_link, django_capture_on_commit_callbacks)
    return engagement, invoice, keep_link.links[-1]


def _overdue(engagement, on, capture):
    """The payments sweep of ``on``: the unpaid instalment goes overdue, and the engagement."""
    with capture(execute=True):
        payments.payments_sweep(on)
    engagement.refresh_from_db()
    assert engagement.status == Status.OVERDUE
    return engagement


def _notice_step(invoice, decided_on):
    return DunningAction.objects.create(
        owner=invoice.owner, invoice=invoice, step=StepKind.FORMAL_NOTICE,
        mode=StepMode.APPROVAL, planned_on=decided_on, decided_on=decided_on,
        state=ActionState.READY, amount_due=invoice.net)


def _to_formal_notice(engagement):
    return StatusChange.objects.filter(engagement=engagement, to_status=Status.FORMAL_NOTICE)


# --- 1. The engagement moves to "Formal notice sent" ----------------------------------------

def test_ladder_notice_moves_overdue_to_formal_notice_once_then_a_payment_moves_it_on(
        s2, django_capture_on_commit_callbacks):
    engagement, _paid, unpaid, _link = s2
    engagement = _overdue(engagement, MAR2, django_capture_on_commit_callbacks)
    step = _notice_step(unpaid, MAR2)
    actions.execute(step.pk, on=MAR2, user=engagement.owner)
    step.refresh_from_db()
    assert step.state == ActionState.DONE
    engagement.refresh_from_db()
    assert engagement.status == Status.FORMAL_NOTICE
    [change] = _to_formal_notice(engagement)
    notice = FormalNotice.objects.get()
    assert (change.from_status, change.origin) == (Status.OVERDUE, Origin.DUNNING)
    assert change.changed_by == engagement.owner and notice.number in change.note
    # Done again (a retry, the step already done) or the same notice sent again by hand:
    # still one change.
    actions.execute(step.pk, on=MAR2)
    from terms_kit.dunning.letters import send_notice
    send_notice(notice, idempotency_key=f"notice:{notice.pk}")
    assert _to_formal_notice(engagement).count() == 1
    # The client pays the rest: the payments service moves the engagement on, as it does
    # from "overdue" (S2 has milestones left: back to the work).
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=D("4200.00"), paid_on=MAR5,
                                method="transfer")
    engagement.refresh_from_db()
    assert engagement.status not in (Status.FORMAL_NOTICE, Status.OVERDUE)
    assert engagement.status == payments.money_status(
        engagement, list(engagement.instalments.order_by("position")))
    left = StatusChange.objects.get(engagement=engagement, from_status=Status.FORMAL_NOTICE)
    assert left.origin == Origin.PAYMENTS


def test_partial_payment_after_the_notice_keeps_formal_notice(
        s2, django_capture_on_commit_callbacks):
    engagement, _paid, unpaid, _link = s2
    engagement = _overdue(engagement, MAR2, django_capture_on_commit_callbacks)
    actions.execute(_notice_step(unpaid, MAR2).pk, on=MAR2)
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount=D("1000.00"), paid_on=MAR5,
                                method="transfer")
    engagement.refresh_from_db()
    assert engagement.status == Status.FORMAL_NOTICE


def test_notice_sent_while_the_status_does_not_allow_it_changes_nothing(s2):
    """Without the payments sweep the engagement is still "balance due": the table does not
    let the dunning service move it to "formal notice", so the status is left alone (the
    notice and its proof of sending are still made)."""
    engagement, _paid, unpaid, _link = s2
    before = engagement.status
    assert before != Status.OVERDUE
    step = _notice_step(unpaid, MAR2)
    actions.execute(step.pk, on=MAR2)
    step.refresh_from_db()
    engagement.refresh_from_db()
    assert step.state == ActionState.DONE and engagement.status == before
    assert not _to_formal_notice(engagement).exists()
    assert SentMessage.objects.filter(kind="formal_notice").count() == 1


def test_admin_send_moves_to_formal_notice_and_another_expert_cannot(
        s2, client, make_expert, django_capture_on_commit_callbacks):
    engagement, _paid, unpaid, _link = s2
    engagement = _overdue(engagement, MAR2, django_capture_on_commit_callbacks)
    notice = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2)
    engagement.refresh_from_db()
    assert engagement.status == Status.OVERDUE  # issued, not sent yet: no change
    send = reverse("terms_kit_notice_send", args=[engagement.pk, notice.pk])
    other = make_expert("bob")
    client.force_login(other)
    assert client.post(send).status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == Status.OVERDUE
    assert not SentMessage.objects.filter(kind="formal_notice").exists()
    client.force_login(engagement.owner)
    assert client.post(send).status_code == 302
    assert client.post(send).status_code == 302  # sent again: one e-mail, one change
    engagement.refresh_from_db()
    assert engagement.status == Status.FORMAL_NOTICE
    [change] = _to_formal_notice(engagement)
    assert change.origin == Origin.DUNNING and change.changed_by == engagement.owner
    assert SentMessage.objects.filter(kind="formal_notice", outcome="sent").count() == 1


# --- 3. A notice approved later is dated the day it is sent ---------------------------------

def test_notice_approved_three_days_later_is_dated_and_computed_the_day_it_is_sent(s2):
    engagement, _paid, unpaid, _link = s2
    step = _notice_step(unpaid, MAR2)  # decided on J+30 (03-02), carried out on 03-05
    actions.execute(step.pk, on=MAR5, user=engagement.owner)
    step.refresh_from_db()
    notice = FormalNotice.objects.get()
    assert step.state == ActionState.DONE and step.completed_on == MAR5
    assert notice.issue_date == MAR5 and notice.deadline_date == datetime.date(2026, 3, 13)
    assert (notice.interest, notice.indemnity, notice.total) == (D("66.11"), D("40.00"),
                                                               D("4306.11"))
    assert notice.snapshot["date"] == "2026-03-05"


# --- 2. The client page: amount due with interest -------------------------------------------

def _page(link, on, monkeypatch, lang):
    monkeypatch.setattr(presentation, "today", lambda: on)  # fixed clock for the page
    AccessLink.objects.filter(pk=link.link.pk).update(language=lang)
    response = Client().get(reverse("terms_kit:client_review", args=[link.token]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_client_page_business_interest_from_the_day_after_due_and_40(s2, monkeypatch, lang):
    engagement, _paid, unpaid, link = s2
    html = _page(link, MAR2, monkeypatch, lang)
    for amount in ("4200.00", "61.92", "40.00", "4301.92"):
        assert money(D(amount), lang) in html, amount
    shown = presentation.client_dunning(engagement, lang, on=MAR2)
    [row] = shown["overdue"]
    assert (row["left"], row["interest"], row["indemnity"], row["total"]) == (
        money(D("4200.00"), lang), money(D("61.92"), lang), money(D("40.00"), lang),
        money(D("4301.92"), lang))
    assert shown["overdue_total"] == money(D("4301.92"), lang) and not row["interest_note"]
    words = {"fr": ("Intérêts de retard", "Montant dû aujourd'hui"),
             "en": ("Late interest to today", "Amount due today")}[lang]
    for word in words:
        assert word in html.replace("&#x27;", "'"), word


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_client_page_missing_half_year_shows_the_amount_without_interest_and_says_so(
        s2, monkeypatch, lang):
    engagement, _paid, _unpaid, link = s2
    html = _page(link, JUL15, monkeypatch, lang).replace("&#x27;", "'")
    sentence = {"fr": "ne peuvent pas être calculés aujourd'hui",
                "en": "cannot be computed today"}[lang]
    assert sentence in html
    shown = presentation.client_dunning(engagement, lang, on=JUL15)
    [row] = shown["overdue"]
    assert row["interest"] == "" and row["left"] == money(D("4200.00"), lang)
    assert row["total"] == money(D("4200.00"), lang) and shown["interest_missing"]
    assert money(D("4200.00"), lang) in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_client_page_consumer_no_interest_nor_fee_before_notice_legal_interest_after(
        s5, monkeypatch, lang):
    engagement, invoice, link = s5
    apr1, apr21 = datetime.date(2026, 4, 1), datetime.date(2026, 4, 21)
    html = _page(link, apr1, monkeypatch, lang)
    [row] = presentation.client_dunning(engagement, lang, on=apr1)["overdue"]
    assert (row["interest"], row["indemnity"], row["total"]) == ("", "", money(D("900.00"),
                                                                                lang))
    assert money(D("40.00"), lang) not in html
    issue_formal_notice(engagement, invoices=[invoice], on=apr1)
    html = _page(link, apr21, monkeypatch, lang)
    [row] = presentation.client_dunning(engagement, lang, on=apr21)["overdue"]
    assert (row["interest"], row["indemnity"], row["total"]) == (
        money(D("1.29"), lang), "", money(D("901.29"), lang))
    assert money(D("901.29"), lang) in html and money(D("40.00"), lang) not in html
    # after 2026-06-30 the consumer's legal rate is missing: amount without interest, said
    [row] = presentation.client_dunning(engagement, lang, on=JUL15)["overdue"]
    assert row["total"] == money(D("900.00"), lang) and row["interest_note"]


def test_mail_outbox_untouched_by_the_client_page(s2, monkeypatch):
    _engagement, _paid, _unpaid, link = s2
    mail.outbox.clear()
    _page(link, MAR2, monkeypatch, "fr")
    assert mail.outbox == []
