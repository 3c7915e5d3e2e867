"""An engagement with an overdue invoice, and a plan offered and accepted through the real
services (the client's e-mail code, the consent, the seal), like the acceptance tests."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from terms_kit.services import payments, plans


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def make_overdue(accepted, capture, key="S2", owner=None):
    """S2 accepted, its deposit paid, the first milestone invoiced 60 days ago: the invoice
    fell due 30 days later and is overdue today. Returns (engagement, invoice)."""
    engagement, link = accepted(key)
    if owner is not None:
        raise ValueError("use make_engagement's owner")
    deposit = engagement.instalments.get(kind="deposit")
    with capture(execute=True):
        payments.record_payment(engagement, amount=deposit.amount, paid_on=days(-61),
                                method="transfer")
        milestone = engagement.milestones.order_by("sort_order", "pk").first()
        invoice = payments.mark_milestone_done(engagement, milestone, on=days(-60))
        payments.payments_sweep(today())
    invoice.refresh_from_db()
    engagement.refresh_from_db()
    engagement.client_token = link.token  # the engagement's own client link
    return engagement, invoice


@pytest.fixture
def overdue(accepted, text_pdfs, django_capture_on_commit_callbacks):
    def make(key="S2"):
        return make_overdue(accepted, django_capture_on_commit_callbacks, key)
    return make


def client_accepts(sent_plan, capture, full_name="Marie Durand",
                   signer_role="Directrice générale"):
    """The client confirms their e-mail with the mailed code and ticks the plan's sentence
    (a company's signatory also gives their role, as for the quote)."""
    from terms_kit.services import acceptance

    link = sent_plan.link
    with capture(execute=True):
        acceptance.send_email_code(link)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    proof = acceptance.verify_email_code(link, code)
    with capture(execute=True):
        return plans.accept_plan(link, ticked={"plan": True}, full_name=full_name,
                                 ip_address="127.0.0.1", user_agent="pytest",
                                 token=sent_plan.token, session_proof=proof,
                                 signer_role=signer_role)
