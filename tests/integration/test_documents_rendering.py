"""DOCX documents of the scenarios S1 to S6, read back with python-docx."""

import pytest
from documents_helpers import NBSP, docx_text, eur_fr

from terms_kit.documents import generation
from terms_kit.documents.context import KINDS, build_context
from terms_kit.documents.rendering import RenderError, render_docx
from terms_kit.documents.templates import find_template


def render_text(spec, kind, lang=None, extras=None):
    return docx_text(generation.render(spec, kind, lang, extras).docx)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", ["S1", "S2", "S3", "S4", "S5", "S6"])
def test_every_template_renders_every_scenario(key, kind, lang, spec):
    text = render_text(spec(key), kind, lang)
    seller = spec(key)["identity"]["legal_name"]
    assert seller in text
    assert "{{" not in text and "{%" not in text  # no tag left unrendered


def test_s1_franchise_consumer_quote_has_no_vat_line_no_indemnity_and_the_withdrawal_form(spec):
    text = render_text(spec("S1"), "quote")
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "TVA à" not in text and "Total TTC" not in text and "Total HT" not in text
    assert "40,00" not in text and "indemnité forfaitaire" not in text.lower()
    assert "pénalités" not in text
    assert "Modèle de formulaire de rétractation" in text
    assert "Je/Nous (*) vous notifie/notifions (*)" in text
    assert "Vous avez demandé expressément que la prestation commence" in text
    assert "Entrepreneur individuel (EI)" in text
    assert "CM2C" in text  # the consumer mediator
    assert f"Total à payer : 60,00{NBSP}€" in text
    assert "Bon pour accord" in text


def test_s1_terms_of_sale_carry_the_withdrawal_information_and_form(spec):
    text = render_text(spec("S1"), "terms")
    assert "Conditions générales de vente" in text
    assert "Modèle de formulaire de rétractation" in text
    assert "délai de 14 jours" in text
    assert "40,00" not in text


def test_s2_quote_totals_milestones_deposit_penalties_indemnity_and_discount(spec):
    text = render_text(spec("S2"), "quote")
    assert eur_fr("Total HT : 12 000,00 €") in text
    assert eur_fr("TVA à 20 % sur 12 000,00 € : 2 400,00 €") in text
    assert eur_fr("Total TTC : 14 400,00 €") in text
    # each milestone with its amount excl. and incl. VAT
    assert eur_fr("Diagnostic | Rapport de diagnostic | Validation du rapport en comité de pilotage"
                  " | 4 000,00 € | 4 800,00 €") in text
    assert eur_fr("| 6 000,00 € | 7 200,00 €") in text
    assert eur_fr("| 2 000,00 € | 2 400,00 €") in text
    assert eur_fr(f"Acompte 30{NBSP}% à la signature du devis, soit 4 320,00 €.") in text
    assert f"taux annuel de 12,15{NBSP}%" in text
    assert f"frais de recouvrement due en cas de retard : 40,00{NBSP}€" in text
    assert f"Escompte de 2{NBSP}% pour paiement sous 10 jours." in text
    assert "Paiement à 30 jours" in text
    # business client: no consumer mentions
    assert "rétractation" not in text and "médiateur" not in text
    assert "TVA non applicable" not in text


def test_s2_deposit_and_final_invoices_deduct_the_deposit(spec):
    data = spec("S2")
    deposit = render_text(data, "deposit_invoice")
    assert "Facture d'acompte" in deposit
    assert eur_fr("Total HT : 3 600,00 €") in deposit
    assert f"TVA : 720,00{NBSP}€" in deposit
    assert eur_fr("Total TTC : 4 320,00 €") in deposit
    assert f"40,00{NBSP}€" in deposit  # B2B invoice: indemnity mention
    final = render_text(data, "final_invoice")
    assert eur_fr("Total TTC : 14 400,00 €") in final
    assert eur_fr("Acompte déjà versé : - 4 320,00 €") in final
    assert eur_fr("Net à payer : 10 080,00 €") in final


def test_s2_in_english_uses_english_formats(spec):
    text = render_text(spec("S2"), "quote", "en")
    assert "Total incl. VAT: €14,400.00" in text
    assert "annual rate of 12.15%" in text
    assert "Fixed indemnity for recovery costs due on late payment: €40.00" in text


def test_s3_time_credit_consumer(spec):
    text = render_text(spec("S3"), "quote")
    assert eur_fr("Total TTC : 900,00 €") in text
    assert "Crédit de 10 heures valable 12 mois." in text
    assert ("En cas de résiliation ou à la fin de la période de validité, les heures non "
            "utilisées sont remboursées au prorata dans un délai de 14 jours.") in text
    assert "Modèle de formulaire de rétractation" in text
    assert "40,00" not in text and "pénalités" not in text


@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "Les heures non utilisées à la fin de la période de validité restent acquises au "
           "prestataire ; en cas de résiliation avant cette date, les heures restantes sont "
           "remboursées au prorata."),
    ("en", "Hours not used by the end of the validity period are kept by the provider; if the "
           "contract is cancelled before then, the hours left are refunded pro rata."),
])
def test_s3_quote_says_when_unused_hours_are_kept(spec, lang, sentence):
    data = spec("S3")
    data["engagement"]["payment"]["unused_credit"] = "kept"
    text = render_text(data, "quote", lang)
    assert sentence in text
    assert "pro rata within 14 days" not in text and "prorata dans un délai" not in text


def test_s4_pay_per_answer_rounds_vat_once_per_rate(spec):
    text = render_text(spec("S4"), "quote")
    assert f"TVA à 20{NBSP}% sur 20,83{NBSP}€ : 4,17{NBSP}€" in text
    assert f"Total TTC : 25,00{NBSP}€" in text


def test_s5_lawyer_on_premises_consumer_has_mediator_but_no_withdrawal_form(spec):
    text = render_text(spec("S5"), "quote")
    assert eur_fr("Total TTC : 1 800,00 €") in text
    assert f"Acompte 50{NBSP}% à la signature du devis, soit 900,00{NBSP}€." in text
    assert "Médiation de la consommation" in text
    assert "formulaire de rétractation" not in text
    assert "40,00" not in text


def test_s6_self_paid_training_has_ten_day_withdrawal_and_franchise(spec):
    text = render_text(spec("S6"), "quote")
    assert "délai de 10 jours" in text
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert eur_fr("| 360,00 € | 360,00 €") in text


HOSTILE = "{{ 7*7 }} {% if %} <w:t> & 😀 R&D"


def test_hostile_free_text_comes_out_literally(spec):
    data = spec("S1")
    data["engagement"]["service_description"] = HOSTILE + "\n" + "x" * 20000
    data["engagement"]["title"] = "<w:t>&amp;</w:t> {{ seller.name }}"
    data["client"]["name"] = "Zoé 🌱 & {% raw %}"
    text = render_text(data, "quote")
    assert HOSTILE in text
    assert "x" * 20000 in text
    assert "<w:t>&amp;</w:t> {{ seller.name }}" in text
    assert "Zoé 🌱 & {% raw %}" in text
    assert "49" not in text  # {{ 7*7 }} was not evaluated


def test_undefined_variable_is_an_error_naming_variable_and_template(spec):
    template = find_template("quote", "fr")
    context = build_context(spec("S2"), "quote", "fr")
    del context["seller"]["siren"]
    with pytest.raises(RenderError) as error:
        render_docx(template.content, context, "fr", template.name)
    assert error.value.variable == "siren"
    assert "quote_fr.docx" in str(error.value) and "'siren'" in str(error.value)


def test_same_inputs_give_the_same_docx_bytes(spec):
    first = generation.render(spec("S2"), "quote")
    second = generation.render(spec("S2"), "quote")
    assert first.docx == second.docx
    assert first.cache_key == second.cache_key
    changed = spec("S2")
    changed["engagement"]["title"] = "Autre titre"
    assert generation.render(changed, "quote").cache_key != first.cache_key


def test_terms_render_is_shared_by_engagements_with_the_same_terms(spec):
    one, other = spec("S2"), spec("S2")
    other["engagement"]["title"] = "Une autre mission"
    other["engagement"]["lines"][0]["unit_price"] = "5000.00"
    assert generation.render(one, "terms").cache_key == generation.render(other, "terms").cache_key
