"""A small public site for the page tests: a terms page per kind of client and an S1 offer
(prepaid 20-minute call, card pre-authorisation) whose quote template is a draft of the
expert, its warnings acknowledged as at the wizard's review."""

from wagtail.models import Page, Site

from terms_kit.models import OfferPage, TermsPage
from terms_kit.services.terms import default_terms_version


def site_root():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        # A flushed database (browser tests) has no tree, no locale: made as Wagtail's
        # first migrations make them.
        from django.conf import settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="Accueil", slug="accueil"))
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return site.root_page


OFFER_BODY = [
    ("description", "<p>Un appel vidéo de 20 minutes pour vos questions fiscales.</p>"),
    ("deliverables", ["Un récapitulatif écrit après l'appel"]),
    ("price", {"heading": ""}),
    ("payment", {"heading": ""}),
    ("duration", {"heading": "", "note": "Créneau confirmé par e-mail."}),
    ("faq", [{"question": "Et si je dois annuler ?",
              "answer": "Gratuit jusqu'à 24 heures avant l'appel."}]),
    ("expert", {"heading": "", "photo": None, "bio": "Conseillère fiscale depuis 2010."}),
]


def b2b_ready(spec):
    """S1's template made sellable to businesses too: payable on receipt, penalty rate and the
    40 EUR indemnity stated (a private person's copy leaves the indemnity out)."""
    spec["engagement"]["payment"].update(
        {"due_days": 0, "late_penalty_rate": "12.00", "recovery_indemnity": "40.00"})


def build_offer_site(owner, template, slug="appel-20-minutes", **offer_fields):
    """Terms pages (consumer: the template's CGV; business: the default business CGV) and an
    offer page selling ``template``; returns (offer, consumer_terms_page, business_terms_page)."""
    from tests.conftest import acknowledge_warnings

    acknowledge_warnings(template)
    root = site_root()
    consumer = root.add_child(instance=TermsPage(
        title="CGV particuliers", slug=f"{slug}-cgv-particuliers", expert=owner,
        audience="consumer", terms=template.terms_version))
    business = root.add_child(instance=TermsPage(
        title="CGV professionnels", slug=f"{slug}-cgv-professionnels", expert=owner,
        audience="business", terms=default_terms_version(owner, "business", "fr")))
    fields = {"title": "Appel conseil fiscal de 20 minutes", "slug": slug, "expert": owner,
              "quote_template": template, "consumer_terms": consumer,
              "business_terms": business, "asks_start_date": True,
              "intro": "Vos questions fiscales, réglées en 20 minutes.", "body": OFFER_BODY,
              **offer_fields}
    offer = root.add_child(instance=OfferPage(**fields))
    # As the expert does from the page's "Check bookings" view.
    from terms_kit.services.bookings import acknowledge_offer_warnings

    acknowledge_offer_warnings(offer, owner)
    return offer, consumer, business


def consumer_details(**extra):
    import datetime

    from django.utils import timezone

    data = {"kind": "consumer", "name": "Léa Moreau", "email": "lea.moreau@example.net",
            "phone": "", "address_line1": "3 rue du Port", "postcode": "44000",
            "city": "Nantes",
            "start_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "early_start": "on"}
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


def business_details(**extra):
    return consumer_details(kind="business", name="Atelier Moreau SARL",
                            contact_name="Léa Moreau", siren="", early_start=None, **extra)
