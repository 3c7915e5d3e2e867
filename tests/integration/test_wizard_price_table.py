"""The wizard's price step as a table with running totals, over HTTP.

The totals come from the server (terms_kit/wizard/pricing.py through terms_kit/money.py): they
must equal, to the cent, what the quote prints (terms_kit/documents/context.py). Adding and
removing rows works without JavaScript: the buttons post the form back without saving it.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from terms_kit.documents.context import build_context
from terms_kit.spec import export_engagement
from tests.integration.test_wizard import as_rendered, post_step, step_url, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, expert):
    client.force_login(expert)
    return client


def totals_url(engagement):
    return reverse("terms_kit_wizard_price_totals", args=[engagement.pk])


def live_totals(client, engagement, data):
    response = client.post(totals_url(engagement), as_rendered(engagement, data))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.json()


def document_totals(engagement):
    context = build_context(export_engagement(engagement), "quote", "fr")
    totals = context["totals"]
    return {
        "excl_vat": str(totals["excl_vat"]), "vat": str(totals["vat"]),
        "incl_vat": str(totals["incl_vat"]),
        "breakdown": [{k: str(row[k]) for k in ("rate", "base", "vat")}
                      for row in totals["breakdown"]],
        "nets": [str(line["net"]) for line in context["lines"]],
    }


def mixed_lines(answers):
    """Two VAT rates, discounts and fractional quantities: every rounding rule is exercised."""
    data = dict(answers["price"])
    rows = [("Atelier", "3.333", "33.33", "5.50", "12.5"),
            ("Rapport", "1", "1999.99", "20.00", ""),
            ("Déplacement", "2.5", "0.07", "20.00", "3")]
    data["lines-TOTAL_FORMS"] = str(len(rows))
    for index, (text, quantity, price, rate, discount) in enumerate(rows):
        data.update({f"lines-{index}-description": text, f"lines-{index}-quantity": quantity,
                     f"lines-{index}-unit": "forfait", f"lines-{index}-unit_price": price,
                     f"lines-{index}-vat_rate": rate,
                     f"lines-{index}-discount_percent": discount})
    return data


@pytest.mark.parametrize("lines", ["scenario", "mixed"])
def test_live_totals_equal_the_documents_figures_to_the_cent(admin_client, expert, lines):
    engagement, answers = walk(admin_client, expert, "S2", until="price")
    data = answers["price"] if lines == "scenario" else mixed_lines(answers)
    live = live_totals(admin_client, engagement, data)
    assert engagement.lines.count() == 0  # the endpoint saves nothing

    assert post_step(admin_client, engagement, "price", data).status_code == 302
    printed = document_totals(engagement)
    assert {k: live[k] for k in ("excl_vat", "vat", "incl_vat", "breakdown")} == {
        k: printed[k] for k in ("excl_vat", "vat", "incl_vat", "breakdown")}
    assert [live["nets"][f"lines-{i}"] for i in range(len(printed["nets"]))] == printed["nets"]
    if lines == "scenario":  # S2: three stages, 12 000 € excl. VAT at 20 %
        assert (live["excl_vat"], live["vat"], live["incl_vat"]) == (
            "12000.00", "2400.00", "14400.00")
    else:
        assert len(live["breakdown"]) == 2


def test_the_step_shows_the_totals_of_the_saved_lines_in_the_readers_language(
        admin_client, expert):
    engagement, answers = walk(admin_client, expert, "S2", until="payment")
    with translation.override("fr"):
        page = admin_client.get(step_url(engagement, "price"),
                                HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-testid="price-totals"' in page
    for figure in ("12\u202f000,00\xa0€", "2\u202f400,00\xa0€", "14\u202f400,00\xa0€",
                   "4\u202f000,00\xa0€"):
        assert figure in page, figure


def test_add_a_line_without_javascript_saves_nothing_then_saves_the_new_line(
        admin_client, expert):
    engagement, answers = walk(admin_client, expert, "S2", until="payment")
    version = engagement.lock_version
    data = as_rendered(engagement, {**answers["price"], "lines_action": "add"})
    response = admin_client.post(step_url(engagement, "price"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-TOTAL_FORMS" value="4"' in page
    assert 'name="lines-3-description"' in page
    assert 'name="lines-3-quantity" value="1"' in page  # the new row shows the defaults
    assert "This field is required" not in page  # an untouched new row is not an error
    engagement.refresh_from_db()
    assert engagement.lock_version == version and engagement.lines.count() == 3

    # The browser posts the new row's defaults back, with what the expert typed.
    data = {**data, "lines-TOTAL_FORMS": "4", "lines-3-description": "Suivi",
            "lines-3-quantity": "1", "lines-3-unit": "forfait", "lines-3-vat_rate": "20.00",
            "lines-3-unit_price": "500.00"}
    data.pop("lines_action")
    assert admin_client.post(step_url(engagement, "price"), data).status_code == 302
    assert [line.description for line in engagement.lines.all()][-1] == "Suivi"
    assert document_totals(engagement)["excl_vat"] == "12500.00"


def test_remove_a_line_without_javascript_updates_the_totals_before_saving(
        admin_client, expert):
    engagement, answers = walk(admin_client, expert, "S2", until="payment")
    data = as_rendered(engagement, {**answers["price"], "lines-1-DELETE": "on",
                                    "lines_action": "recompute"})
    with translation.override("en"):
        page = admin_client.post(step_url(engagement, "price"), data).content.decode()
    # Stage 2 (6 000 €) is left out: 6 000 € excl. VAT, 7 200 € incl. VAT.
    assert "€6,000.00" in page and "€7,200.00" in page and "€14,400.00" not in page
    assert "is-removed" in page
    assert engagement.lines.count() == 3  # not saved yet

    data.pop("lines_action")
    assert admin_client.post(step_url(engagement, "price"), data).status_code == 302
    assert document_totals(engagement)["excl_vat"] == "6000.00"


def test_a_row_not_valid_yet_is_left_out_of_the_totals_and_said_so(admin_client, expert):
    engagement, answers = walk(admin_client, expert, "S2", until="price")
    live = live_totals(admin_client, engagement, {**answers["price"],
                                                  "lines-2-unit_price": "-5"})
    assert live["excl_vat"] == "10000.00" and "lines-2" not in live["nets"]
    assert "1 line is not counted until it is complete and valid." in live["html"]


def test_a_franchise_expert_sees_no_vat(admin_client, expert):
    engagement, answers = walk(admin_client, expert, "S1", until="price")
    live = live_totals(admin_client, engagement, answers["price"])
    assert (live["excl_vat"], live["vat"], live["incl_vat"]) == ("60.00", "0.00", "60.00")
    assert "293 B" in live["html"]


def test_another_expert_gets_404_from_the_totals(admin_client, expert, make_expert, client):
    engagement, answers = walk(admin_client, expert, "S2", until="price")
    client.force_login(make_expert("other"))
    assert client.post(totals_url(engagement), answers["price"]).status_code == 404
    assert client.get(totals_url(engagement)).status_code == 404
