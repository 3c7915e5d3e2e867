"""Admin dates and amounts follow the reader's language (babel); the wizard's review shows the
quote in the client's language and formats."""

import re

import pytest
from babel.numbers import format_currency
from django.urls import reverse
from django.utils import timezone

from terms_kit.models import WizardState
from tests.wizard_answers import STEP_ORDER

pytestmark = pytest.mark.django_db


def prefer(user, lang):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = lang
    profile.save()


def dated(day):
    def change(data):
        data["engagement"]["issue_date"] = day
        data["engagement"]["validity_date"] = None
    return change


@pytest.mark.parametrize(("lang", "shown"), [("fr", "03/11/2026"), ("en", "03/11/2026")])
def test_engagement_list_dates(client, expert, make_engagement, lang, shown):
    make_engagement("S1", change=dated("2026-11-03"))
    prefer(expert, lang)
    client.force_login(expert)
    html = client.get(reverse("terms_kit_engagement:index")).content.decode()
    assert shown in html
    assert "Nov. 3, 2026" not in html and "3 novembre 2026" not in html


def test_status_page_history_in_french_format(client, sent):
    engagement, _link = sent("S1")
    prefer(engagement.owner, "fr")
    client.force_login(engagement.owner)
    html = client.get(reverse("terms_kit_engagement:status", args=[engagement.pk])).content.decode()
    change = engagement.status_changes.get()
    local = timezone.localtime(change.changed_at)
    assert local.strftime("%d/%m/%Y %H:%M") in html  # 29/11/2026 16:13


def test_documents_page_issued_date_in_french_format(client, sent):
    engagement, _link = sent("S1")
    prefer(engagement.owner, "fr")
    client.force_login(engagement.owner)
    html = client.get(reverse("terms_kit_engagement:documents",
                              args=[engagement.pk])).content.decode()
    document = engagement.documents.first()
    assert timezone.localtime(document.created_at).strftime("%d/%m/%Y %H:%M") in html


@pytest.mark.parametrize("admin_lang", ["en", "fr"])
def test_review_shows_the_quote_in_the_clients_language(client, expert, make_engagement,
                                                       admin_lang):
    engagement = make_engagement("S2")  # its client reads French
    assert engagement.client.language == "fr"
    WizardState.objects.create(engagement=engagement, completed_steps=list(STEP_ORDER))
    prefer(expert, admin_lang)
    client.force_login(expert)
    html = client.get(reverse("terms_kit_wizard_review", args=[engagement.pk])).content.decode()
    total = re.search(r'data-testid="total-incl-vat">([^<]+)<', html).group(1)
    # 12 000,00 € HT + 20 % = 14 400,00 € TTC, written the French way whatever the admin's
    # language.
    assert total == format_currency(engagement.totals.total_incl_vat, "EUR", locale="fr_FR")
    assert total == "14\u202f400,00\u00a0€"
    preview = html.split('data-testid="quote-preview"')[1].split("</article>")[0]
    assert 'lang="fr"' in html.split('data-testid="quote-preview"')[1][:40]
    assert "Total TTC" in preview and "Total incl. VAT" not in preview  # its words too
