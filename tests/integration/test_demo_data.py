import pytest
from django.core.management import call_command

from terms_kit.models import DunningAction, Engagement
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_follows_the_scenarios(client, capsys, sealed_settings):
    call_command("load_demo_data")
    call_command("load_demo_data")
    output = capsys.readouterr().out
    assert "0 engagement(s) created" in output and "demo / " in output
    # The scenarios; the drafts are the offer pages' quote templates (checked below).
    from terms_kit.models import OfferPage

    engagements = Engagement.objects.filter(owner__username="demo").exclude(
        pk__in=OfferPage.objects.values("quote_template"))
    assert engagements.count() == 6
    s2 = engagements.get(title__startswith="Audit organisationnel")
    assert s2.number.startswith("D-") and s2.totals.total_incl_vat == 14400
    # S2 accepted through the real service, deposit invoiced and paid, a milestone invoiced
    # and overdue; S3's credit partly used.
    assert s2.consent_records.filter(kind="acceptance").count() == 1
    assert s2.status == Status.OVERDUE
    assert [(i.kind, i.net) for i in s2.invoices.order_by("sequence")] == [
        ("deposit", 4320), ("milestone", 480)]
    assert s2.instalments.get(position=2).state == "overdue"
    # ... ten days overdue, so today's dunning run sent its first reminder (J+7), once.
    [reminder] = DunningAction.objects.filter(invoice__engagement=s2)
    assert (reminder.step, reminder.state) == ("reminder_1", "done")
    assert reminder.sent_message.kind == "reminder_1"
    # S1: pre-authorised at the card terminal, then captured: paid, one final invoice.
    s1 = engagements.get(payment_model="preauthorisation")
    [hold] = s1.instalments.all()
    assert hold.secured_reference.startswith("terminal:") and hold.state == "paid"
    assert s1.status == Status.PAID
    assert [(i.kind, i.net) for i in s1.invoices.all()] == [("final", 60)]
    assert s1.payments.get().method == "card_terminal"
    # S2's deposit invoice is numbered in the expert's invoice series (F-<year>-<n>) and paid.
    deposit = s2.invoices.get(kind="deposit")
    assert deposit.number == f"F-{deposit.issue_date.year}-{deposit.sequence:04d}"
    assert s2.instalments.get(kind="deposit").state == "paid"
    s3 = engagements.get(payment_model="time_credit")
    assert s3.status == Status.PAID and sum(u.quantity for u in s3.credit_uses.all()) == 3.5
    assert s3.totals.total_incl_vat == 900 and s3.time_credit_hours == 10  # 6.5 h left
    # S5 signed on paper: its acceptance record names the stored scan; every demo engagement
    # past "sent" has an acceptance record (no status set by hand).
    s5 = engagements.get(identity__profession="lawyer")
    assert '"method":"paper"' in s5.consent_records.get(kind="acceptance").payload
    assert s5.status == Status.IN_PROGRESS
    for engagement in engagements.exclude(status__in=[Status.DRAFT, Status.SENT]):
        assert engagement.consent_records.filter(kind="acceptance").exists(), engagement
        assert engagement.status_changes.filter(to_status=Status.ACCEPTED,
                                                origin="acceptance").exists()
    call_command("termskit", "verify")
    # The demo expert is a plain expert (not a superuser) who can use the admin.
    assert client.login(username="demo", password="demo-expert-2026")
    assert client.get("/admin/terms-kit/engagements/").status_code == 200
    assert client.get("/").status_code == 200


def test_demo_data_builds_the_public_pages_once(client, sealed_settings, text_pdfs):
    from terms_kit.models import OfferPage, TermsPage
    from terms_kit.services.bookings import offer_findings

    call_command("load_demo_data")
    call_command("load_demo_data")
    assert OfferPage.objects.count() == 2 and TermsPage.objects.count() == 2
    assert Engagement.objects.filter(owner__username="demo").count() == 8  # 6 + 2 templates
    home = client.get("/").content.decode()
    assert "Appel conseil fiscal de 20 minutes" in home and "Pack coaching" in home
    for page in [*OfferPage.objects.all(), *TermsPage.objects.all()]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    # The verification page is in the site's look: its header, menu (offers and terms pages)
    # and footer, around terms_kit's form.
    verify = client.get("/terms/verify/").content.decode()
    assert 'class="site-header"' in verify and 'id="verify-form"' in verify
    for page in [*OfferPage.objects.all(), *TermsPage.objects.all()]:
        assert f'href="{page.url}"' in verify, page.url
    for offer in OfferPage.objects.all():
        assert client.get(offer.book_url()).status_code == 200
        for kind in ("consumer", "business"):
            findings = offer_findings(offer, kind)
            assert findings is not None and not [f for f in findings
                                                 if f.severity == "error"], (offer, kind)
