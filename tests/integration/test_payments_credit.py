"""S3's unused hours, refunded or kept exactly as the accepted terms say.

The pack: 10 h for 900.00 TTC valid 12 months (SCENARIOS.md); 4 h used leaves 6 h, worth
540.00 pro rata.
"""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from terms_kit.exceptions import ImmutableRecord, PaymentRefused
from terms_kit.models import CreditClosure, Invoice, Refund
from terms_kit.services import payments

pytestmark = pytest.mark.django_db


def kept(spec):
    spec["engagement"]["payment"]["unused_credit"] = "kept"


def s3_with_4h_used(accepted, change=None):
    engagement, link = accepted("S3", change)
    payments.record_payment(engagement, amount="900.00", paid_on=timezone.localdate(),
                            method="card_terminal")
    payments.record_credit_use(engagement, quantity="1.5")
    payments.record_credit_use(engagement, quantity="2.5")
    engagement.refresh_from_db()
    return engagement, link


def test_refunded_terms_refund_once_with_a_credit_note(text_pdfs, accepted):
    engagement, _link = s3_with_4h_used(accepted)
    assert engagement.unused_credit == "refunded"
    first = payments.refund_unused_credit(engagement)
    again = payments.refund_unused_credit(engagement)  # a retry, a double click
    assert again.pk == first.pk and Refund.objects.count() == 1
    assert first.amount == D("540.00") and first.credit_note.net == D("540.00")
    closure = CreditClosure.objects.get()
    assert (closure.outcome, closure.hours_left, closure.refund_id) == ("refunded", D("6"),
                                                                       first.pk)


def test_refunded_terms_refund_the_hours_left_at_the_end_of_validity(text_pdfs, accepted):
    engagement, _link = s3_with_4h_used(accepted)
    ends = payments.credit_valid_until(engagement)
    assert ends == payments.accepted_on(engagement).replace(
        year=payments.accepted_on(engagement).year + 1)  # 12 months
    with pytest.raises(PaymentRefused, match="cannot be closed as expired before then"):
        payments.close_expired_credit(engagement, on=ends)
    closure = payments.close_expired_credit(engagement, on=ends + datetime.timedelta(days=1))
    assert closure.outcome == "refunded" and closure.refund.amount == D("540.00")
    assert closure.refund.credit_note is not None


def test_kept_terms_still_refund_a_cancellation_before_the_end(text_pdfs, accepted):
    engagement, _link = s3_with_4h_used(accepted, kept)
    refund = payments.refund_unused_credit(engagement, reason="Pack cancelled")
    assert refund.amount == D("540.00") and refund.credit_note.net == D("540.00")
    assert CreditClosure.objects.get().outcome == "refunded"


def test_kept_terms_at_the_end_of_validity_refund_nothing_and_record_the_expiry(
        text_pdfs, accepted, capsys):
    engagement, _link = s3_with_4h_used(accepted, kept)
    after = payments.credit_valid_until(engagement) + datetime.timedelta(days=1)
    with pytest.raises(PaymentRefused, match="close the expired credit instead"):
        payments.refund_unused_credit(engagement, refunded_on=after)
    notes_before = Invoice.objects.filter(kind="credit_note").count()
    closure = payments.close_expired_credit(engagement, on=after)
    assert payments.close_expired_credit(engagement, on=after).pk == closure.pk
    assert (closure.outcome, closure.hours_left, closure.refund) == ("expired", D("6"), None)
    assert Refund.objects.count() == 0
    assert Invoice.objects.filter(kind="credit_note").count() == notes_before == 0
    with pytest.raises(PaymentRefused, match="the hours left expired"):
        payments.refund_unused_credit(engagement)
    with pytest.raises(ImmutableRecord):  # evidence is insert-only
        closure.save()

    call_command("termskit", "ledger", engagement.number, "--format", "json")
    credit = json.loads(capsys.readouterr().out)["credit"]
    assert (credit["unused_credit"], credit["closed"], credit["hours_closed"]) == (
        "kept", "expired", "6.00")
    call_command("termskit", "ledger", engagement.number)
    assert f"closed {after.isoformat()}: 6.00 h expired" in capsys.readouterr().out


def test_ledger_actions_owner_only_with_clear_errors(text_pdfs, accepted, make_expert):
    engagement, link = s3_with_4h_used(accepted, kept)
    refund_url = reverse("terms_kit_ledger_credit_refund", args=[engagement.pk])
    expired_url = reverse("terms_kit_ledger_credit_expired", args=[engagement.pk])
    other = Client()
    other.force_login(make_expert("other"))
    assert other.post(refund_url).status_code == 404
    assert other.post(expired_url).status_code == 404

    owner = Client()
    owner.force_login(engagement.owner)
    ledger = reverse("terms_kit_engagement_ledger", args=[engagement.pk])
    page = owner.get(ledger).content.decode()
    assert "Close expired credit" in page and 'data-rule="kept"' in page
    response = owner.post(expired_url, follow=True)
    assert "cannot be closed as expired before then" in response.content.decode()
    assert not CreditClosure.objects.exists()
    assert owner.post(refund_url).status_code == 302
    assert owner.post(refund_url).status_code == 302  # twice: still one refund
    assert Refund.objects.count() == 1 and Refund.objects.get().amount == D("540.00")
    assert "Close expired credit" not in owner.get(ledger).content.decode()

    client_page = Client().get(reverse("terms_kit:client_review", args=[link.token]))
    text = client_page.content.decode()
    # The client's language (French): the rule, then the closure.
    assert 'data-rule="kept"' in text and 'data-closed="refunded"' in text
    assert "restent acquises au prestataire" in text and "6,00 h remboursées" in text
