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
from terms_kit.spec import import_spec
from wagtail_site.home.models import HomePage

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-expert-2026"  # noqa: S105 - printed on purpose: it is the demo's login
# How far along the flow each scenario is shown, so the demo has a bit of everything.
# Sending only; acceptance and money go through their real services (DEMO_MONEY below).
# Sent to their client through the real sending service (compliance gate, numbered quote).
DEMO_SENT = ("s4_pay_per_answer",)
# Accepted through the real acceptance service (consent record, sealed pack), then paid
# through the real payments service.
DEMO_ACCEPTED = ("s1_prepaid_call", "s2_consulting_milestones", "s3_coaching_credit",
                 "s5_lawyer_fee_agreement")
# Of those, signed on paper: the expert records the client's signed scan (the demo's scan is
# the quote PDF the client was sent), the other way a quote becomes accepted.
DEMO_PAPER = ("s5_lawyer_fee_agreement",)
DATE_FIELDS = ("issue_date", "validity_date", "start_date", "end_date")


def shift_dates(spec, today):
    """Move the scenario's dates so that it is issued today, keeping the gaps between them."""
    body = spec["engagement"]
    delta = today - datetime.date.fromisoformat(body["issue_date"])
    for field in DATE_FIELDS:
        if body.get(field):
            body[field] = (datetime.date.fromisoformat(body[field]) + delta).isoformat()
    return spec


def scenario_spec(name):
    return json.loads((DEMO_DATA / f"{name}.json").read_text(encoding="utf-8"))


def scenario_title(name):
    return scenario_spec(name)["engagement"]["title"]


# The public site of the demo (issue 14): French first, as the demo expert's clients read.
HOME_INTRO = ("<p>Claire Martin, conseillère fiscale à Lyon, répond à vos questions fiscales "
              "personnelles et accompagne les indépendants. Réservez en ligne : vous lisez le "
              "devis et les conditions, vous signez, puis vous payez ou garantissez le paiement "
              "avant la prestation.</p>")
TERMS_INTRO = {
    "consumer": "Les conditions qui s'appliquent quand vous réservez en tant que particulier.",
    "business": "Les conditions qui s'appliquent quand vous réservez pour votre entreprise.",
}
PUBLIC_TERMS = (
    ("cgv-particuliers", "Conditions générales de vente aux particuliers", "consumer",
     "s1_prepaid_call"),
    ("cgv-professionnels", "Conditions générales de vente aux professionnels", "business",
     "s2_consulting_milestones"),
)
# A template sold to businesses too states what the law requires between businesses; a
# private person's copy leaves the 40 EUR indemnity out (services/bookings.py).
B2B_PAYMENT = {"due_days": 0, "late_penalty_rate": "12.00", "recovery_indemnity": "40.00"}
OFFER_FAQ = [
    {"question": "Quand ma carte est-elle débitée ?",
     "answer": "Pour l'appel, votre carte est seulement pré-autorisée à la réservation ; elle "
               "n'est débitée qu'après l'appel. Pour le pack, vous payez à la réservation."},
    {"question": "Puis-je annuler ?",
     "answer": "Oui, gratuitement jusqu'à 24 heures avant le rendez-vous. Un particulier qui "
               "réserve à distance dispose aussi de 14 jours pour se rétracter."},
]
EXPERT_BIO = ("Conseillère fiscale depuis 2010, j'accompagne les particuliers et les "
              "indépendants dans leurs déclarations et leurs choix fiscaux.")
PUBLIC_OFFERS = (
    ("appel-20-minutes", "s1_prepaid_call", {
        "title": "Appel conseil fiscal de 20 minutes", "asks_start_date": True,
        "intro": "Une question fiscale précise ? Un appel vidéo de 20 minutes pour y répondre. "
                 "Votre carte est pré-autorisée à la réservation, débitée après l'appel.",
        "body": [
            ("description", "<p>Un appel vidéo de 20 minutes pour répondre à vos questions "
                            "fiscales personnelles : déclaration de revenus, revenus "
                            "fonciers, dons, changement de situation.</p>"),
            ("deliverables", ["Un récapitulatif écrit envoyé par e-mail après l'appel"]),
            ("price", {"heading": "Prix"}),
            ("payment", {"heading": "Paiement"}),
            ("duration", {"heading": "Durée", "note": "Le créneau est confirmé par e-mail."}),
            ("faq", OFFER_FAQ),
            ("expert", {"heading": "Votre conseillère", "photo": None, "bio": EXPERT_BIO}),
        ]}),
    ("pack-coaching", "s3_coaching_credit", {
        "title": "Pack coaching de 10 heures",
        "intro": "Dix heures de coaching à distance, en séances d'une heure, à utiliser sous "
                 "12 mois. Payé à la réservation.",
        "body": [
            ("description", "<p>Un accompagnement sur la durée : dix séances d'une heure en "
                            "visioconférence, planifiées ensemble, à utiliser sous 12 mois."
                            "</p>"),
            ("deliverables", ["Dix séances d'une heure", "Un compte rendu après chaque séance"]),
            ("price", {"heading": "Prix"}),
            ("payment", {"heading": "Paiement"}),
            ("duration", {"heading": "Durée", "note": ""}),
            ("faq", OFFER_FAQ),
            ("expert", {"heading": "Votre coach", "photo": None, "bio": EXPERT_BIO}),
        ]}),
)


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
            if name in DEMO_SENT:
                self.send(engagement, user)
            if name in DEMO_PAPER:
                self.accept_on_paper(engagement, user, today)
            elif name in DEMO_ACCEPTED:
                self.accept(engagement, user)
            if name in DEMO_ACCEPTED:
                getattr(self, f"money_{name.split('_')[0]}")(engagement, user, today)
            created += 1
        self.public_pages(user, today)
        self.stdout.write(
            f"Demo data ready ({created} engagement(s) created). "
            f"Log in at /admin/ as {DEMO_USERNAME} / {DEMO_PASSWORD}"
        )

    def accept(self, engagement, user):
        """The expert sends and the client accepts, through the real services.

        The expert acknowledges the compliance warnings as at the wizard's review. The demo has
        no inbox, so it plays the client reading the code: it stores a code it knows, then
        types it like the client's browser (the session proof signs, as on the client page).
        """
        from terms_kit.models import EmailCode
        from terms_kit.services import acceptance

        sent = self.send(engagement, user)
        link = sent.link
        code, now = "246810", timezone.now()
        EmailCode.objects.create(
            link=link, code_hash=acceptance._code_hash(link, code), created_at=now,
            expires_at=now + datetime.timedelta(minutes=15))
        proof = acceptance.verify_email_code(link, code)
        ticked = {consent.key: True for consent in acceptance.consents_for(link)}
        acceptance.accept(link, ticked=ticked, full_name=engagement.client.contact_name
                          or engagement.client.name, signer_role="Directrice générale",
                          ip_address="127.0.0.1",
                          user_agent="load_demo_data", token=sent.token, session_proof=proof)
        engagement.refresh_from_db()

    def accept_on_paper(self, engagement, user, today):
        """Sent, printed and signed by the client; the expert uploads the scan."""
        from terms_kit.services.paper import accept_on_paper

        sent = self.send(engagement, user)
        quote = sent.link.documents.get(kind="quote")
        with quote.pdf.storage.open(quote.pdf.name, "rb") as handle:
            scan = handle.read()
        client = engagement.client
        accept_on_paper(engagement, scan=scan, signer_name=client.contact_name or client.name,
                        signed_on=today, user=user)
        engagement.refresh_from_db()

    def send(self, engagement, user):
        """Sent as the expert sends from the review step, warnings acknowledged."""
        from terms_kit.compliance import check_engagement
        from terms_kit.services import acceptance
        from terms_kit.services.drafts import acknowledge_warnings

        self.ensure_seal()
        warnings = [f for f in check_engagement(engagement) if f.severity == "warning"]
        acknowledge_warnings(engagement, warnings, user)
        return acceptance.send_to_client(engagement, user)

    def ensure_seal(self):
        """A self-signed demo seal where the settings expect one and none exists yet."""
        from terms_kit.conf import app_settings
        from terms_kit.documents import sealing

        cert = app_settings.SEAL_CERTIFICATE
        if cert and not Path(cert).exists() and Path(cert).name == "seal-cert.pem":
            sealing.make_self_signed(Path(cert).parent)

    def money_s1(self, engagement, user, today):
        """The 60.00 pre-authorised at the expert's card terminal when booking (the demo has
        no online provider: recorded as the ledger's "Record the hold" does), then captured
        at the terminal after the call: paid, with its final invoice."""
        from terms_kit.services import payments

        [instalment] = engagement.instalments.filter(kind="preauthorisation")
        payments.secure_instalment(instalment, reference="terminal: TPE PREAUTH 0107",
                                   user=user)
        payments.record_payment(engagement, amount=instalment.amount, paid_on=today,
                                method="card_terminal", reference="TPE CAPTURE 0107",
                                user=user, instalment=instalment)

    def money_s2(self, engagement, user, today):
        """Deposit received and invoiced, first milestone invoiced and now ten days overdue
        (dated in the past so that its 30-day term has run out), the sweep having seen it,
        and the first reminder (J+7) sent by today's dunning run."""
        from terms_kit.dunning import actions
        from terms_kit.dunning.run import run
        from terms_kit.services import payments

        start = today - datetime.timedelta(days=45)
        payments.record_payment(engagement, amount=engagement.instalments.get(
            kind="deposit").amount, paid_on=start, method="transfer",
            reference="VIR ACME ACOMPTE", user=user)
        first = engagement.milestones.first()
        payments.mark_milestone_done(engagement, first, user=user,
                                     on=start + datetime.timedelta(days=5))
        payments.payments_sweep(today)
        # The reminder goes out now (the demo's worker may not run yet): decided by the
        # run, carried out here as the background task would.
        report = run(on=today, owner=user, execute=False)
        for decision in report.ready:
            actions.execute(decision.action_id, on=today)

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
        """A plain expert, not a superuser: a member of the "Experts" group."""
        from terms_kit.permissions import ensure_experts_group

        user.groups.add(ensure_experts_group())

    def public_pages(self, user, today):
        """The public site: the published terms for consumers (S1's) and businesses (S2's),
        an offer page for the S1 call and one for the S3 coaching pack, each selling a draft
        quote template of the demo expert. Pages already there (by slug) are left as they are."""
        from terms_kit.models import OfferPage, TermsPage
        from terms_kit.services.bookings import acknowledge_offer_warnings

        home = HomePage.objects.first()
        existing = set(home.get_children().values_list("slug", flat=True))
        terms = {}
        for slug, title, kind, scenario in PUBLIC_TERMS:
            # The scenario's engagement (sent), not the offer's draft template of the same title.
            version = (Engagement.objects.filter(owner=user, title=scenario_title(scenario))
                       .exclude(status="draft").order_by("pk").first().terms_version)
            if slug not in existing:
                home.add_child(instance=TermsPage(
                    title=title, slug=slug, expert=user, audience=kind, terms=version,
                    show_in_menus=True, intro=TERMS_INTRO[kind]))
            terms[kind] = TermsPage.objects.get(slug=slug)
        for slug, scenario, fields in PUBLIC_OFFERS:
            if slug in existing:
                continue
            spec = shift_dates(dict(scenario_spec(scenario)), today)
            spec["engagement"]["payment"].update(B2B_PAYMENT)
            template = import_spec(spec, user)
            offer = home.add_child(instance=OfferPage(
                slug=slug, expert=user, quote_template=template, show_in_menus=True,
                consumer_terms=terms["consumer"], business_terms=terms["business"], **fields))
            # As the expert does from the page's "Check bookings" button.
            acknowledge_offer_warnings(offer, user)
        if not home.body.raw_data:
            offers = {o.slug: o for o in OfferPage.objects.child_of(home)}
            home.body = [
                ("payment_conditions", {"offer": offers["appel-20-minutes"],
                                        "heading": "Comment se passe le paiement de l'appel"}),
                ("accept_and_pay", {"offer": offers["appel-20-minutes"],
                                    "label": "Réserver mon appel de 20 minutes"}),
                ("terms_excerpt", {"terms_page": terms["consumer"], "sections": 2}),
            ]
            home.intro = HOME_INTRO
            home.save_revision().publish()

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
