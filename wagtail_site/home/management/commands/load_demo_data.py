"""Create the demo expert and the engagements of scenarios S1 to S6. Safe to run again."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from terms_kit.models import Engagement
from terms_kit.services.status import change_status
from terms_kit.spec import import_spec
from terms_kit.status import ORIGINS, Status
from wagtail_site.home.models import HomePage

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-expert-2026"  # noqa: S105 - printed on purpose: it is the demo's login
# How far along the flow each scenario is shown, so the demo has a bit of everything.
# Sending only; acceptance and money go through their real services (DEMO_MONEY below).
DEMO_STATUS_PATH = {
    "s1_prepaid_call": [Status.SENT],
    "s4_pay_per_answer": [Status.SENT],
}
# Accepted through the real acceptance service (consent record, sealed pack), then paid
# through the real payments service.
DEMO_ACCEPTED = ("s2_consulting_milestones", "s3_coaching_credit", "s5_lawyer_fee_agreement")
DATE_FIELDS = ("issue_date", "validity_date", "start_date", "end_date")


def shift_dates(spec, today):
    """Move the scenario's dates so that it is issued today, keeping the gaps between them."""
    body = spec["engagement"]
    delta = today - datetime.date.fromisoformat(body["issue_date"])
    for field in DATE_FIELDS:
        if body.get(field):
            body[field] = (datetime.date.fromisoformat(body[field]) + delta).isoformat()
    return spec


def scenario_specs():
    for path in sorted(DEMO_DATA.glob("*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = "Create the demo expert login and the engagements of scenarios S1 to S6."

    @transaction.atomic
    def handle(self, *args, **options):
        user = self.demo_user()
        self.home_page()
        today = timezone.localdate()
        created = 0
        for name, spec in scenario_specs():
            title = spec["engagement"]["title"]
            if Engagement.objects.filter(owner=user, title=title).exists():
                continue
            engagement = import_spec(shift_dates(spec, today), user)
            for status in DEMO_STATUS_PATH.get(name, []):
                # Seeded statuses, made as the service that owns each change would make it.
                origin = sorted(ORIGINS[(engagement.status, status)])[0]
                change_status(engagement, status, user=user, note="demo data", origin=origin)
            if name in DEMO_ACCEPTED:
                self.accept(engagement, user)
                getattr(self, f"money_{name.split('_')[0]}")(engagement, user, today)
            created += 1
        self.stdout.write(
            f"Demo data ready ({created} engagement(s) created). "
            f"Log in at /admin/ as {DEMO_USERNAME} / {DEMO_PASSWORD}"
        )

    def accept(self, engagement, user):
        """The client's acceptance through the real service. The demo has no inbox to read
        the e-mail code from, so the link's address is marked confirmed here."""
        from terms_kit.models import AccessLink
        from terms_kit.services import acceptance

        self.ensure_seal()
        sent = acceptance.send_to_client(engagement, user)
        AccessLink.objects.filter(pk=sent.link.pk).update(email_verified_at=timezone.now())
        link = AccessLink.objects.get(pk=sent.link.pk)
        ticked = {consent.key: True for consent in acceptance.consents_for(link)}
        acceptance.accept(link, ticked=ticked, full_name=engagement.client.contact_name
                          or engagement.client.name, ip_address="127.0.0.1",
                          user_agent="load_demo_data", token=sent.token)
        engagement.refresh_from_db()

    def ensure_seal(self):
        """A self-signed demo seal where the settings expect one and none exists yet."""
        from terms_kit.conf import app_settings
        from terms_kit.documents import sealing

        cert = app_settings.SEAL_CERTIFICATE
        if cert and not Path(cert).exists() and Path(cert).name == "seal-cert.pem":
            sealing.make_self_signed(Path(cert).parent)

    def money_s2(self, engagement, user, today):
        """Deposit received and invoiced, first milestone invoiced and now overdue (dated in
        the past so that its 30-day term has run out), the sweep having seen it."""
        from terms_kit.services import payments

        start = today - datetime.timedelta(days=40)
        payments.record_payment(engagement, amount=engagement.instalments.get(
            kind="deposit").amount, paid_on=start, method="transfer",
            reference="VIR ACME ACOMPTE", user=user)
        first = engagement.milestones.first()
        payments.mark_milestone_done(engagement, first, user=user,
                                     on=start + datetime.timedelta(days=5))
        payments.payments_sweep(today)

    def money_s3(self, engagement, user, today):
        """The pack paid at a card terminal, two sessions used."""
        from terms_kit.services import payments

        payments.record_payment(engagement, amount="900.00", paid_on=today,
                                method="card_terminal", reference="TPE 0042", user=user)
        payments.record_credit_use(engagement, quantity="1.5", used_on=today,
                                   note="Séance 1", user=user)
        payments.record_credit_use(engagement, quantity="2", used_on=today,
                                   note="Séance 2", user=user)

    def money_s5(self, engagement, user, today):
        """The 50 % deposit paid by cheque: work in progress."""
        from terms_kit.services import payments

        payments.record_payment(engagement, amount="900.00", paid_on=today, method="cheque",
                                reference="Chèque n° 1234567", user=user)

    def demo_user(self):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@terms-kit.example", "first_name": "Demo", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.grant_admin_access(user)
        return user

    def grant_admin_access(self, user):
        """A plain expert: admin access and the terms-kit permissions, not a superuser."""
        from django.contrib.auth.models import Permission

        perms = Permission.objects.filter(
            content_type__app_label="terms_kit"
        ) | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        user.user_permissions.add(*perms)

    def home_page(self):
        if HomePage.objects.exists():
            return
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="terms-kit", slug="terms-kit-home"))
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            old_root = site.root_page
            site.root_page = home
            site.save()
            if old_root.pk != home.pk and old_root.specific_class is Page:
                old_root.delete()
        else:
            Site.objects.create(hostname="127.0.0.1", port=8000, root_page=home,
                                is_default_site=True)
