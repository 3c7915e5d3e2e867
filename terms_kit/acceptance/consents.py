"""Which consents a client must give, and their exact wording, decided from the spec.

The wording is legal text that is stored as shown: it is written out here in both languages
(like the document templates), not left to translation catalogues, so a record always holds
the sentence the client actually read.
"""

from dataclasses import dataclass

from ..documents import formatting, rules
from ..documents.context import build_context

# The terms consent is stored with the CGV's SHA-256 in it; the page shows the sentence
# without the fingerprint and the whole stored sentence in a "details / proof" disclosure.
# TERMS_SHOWN + TERMS_PROOF is exactly the wording stored since the first acceptance.
TERMS_SHOWN = {
    "fr": "J'ai lu et j'accepte les conditions générales de vente « {title} », version {version}",
    "en": "I have read and accept the terms of sale \u201c{title}\u201d, version {version}",
}
TERMS_PROOF = {
    "fr": " (empreinte SHA-256 {hash}).",
    "en": " (SHA-256 fingerprint {hash}).",
}

WORDING = {
    "terms": {lang: TERMS_SHOWN[lang] + TERMS_PROOF[lang] for lang in ("fr", "en")},
    "early_start": {
        "fr": "Je demande expressément que la prestation commence avant la fin du délai de "
              "rétractation de {days} jours (art. L221-25 du Code de la consommation).",
        "en": "I expressly ask for the service to start before the end of the {days}-day "
              "withdrawal period (French Consumer Code, art. L221-25).",
    },
    "withdrawal_loss": {
        "fr": "Je reconnais perdre mon droit de rétractation une fois la prestation entièrement "
              "exécutée (art. L221-28 1° du Code de la consommation).",
        "en": "I acknowledge that I lose my right of withdrawal once the service has been fully "
              "performed (French Consumer Code, art. L221-28 1°).",
    },
    # Since session 3 the deposit consent says the amount and when it is due. Records made
    # before keep the sentence they stored ("... de 40 % du prix à l'acceptation.").
    "deposit": {
        "fr": "J'accepte de verser {label_fr} de {amount} ({percent}), {due_fr}.",
        "en": "I agree to pay {label_en} of {amount} ({percent}), {due_en}.",
    },
}

DEPOSIT_DUE = {
    "acceptance": {"fr": "payable à l'acceptation", "en": "payable on acceptance"},
    # C. trav. L6353-6 (S6): nothing is payable before the withdrawal period ends.
    "withdrawal_end": {"fr": "payable à la fin du délai de rétractation de {days} jours",
                       "en": "payable when the {days}-day withdrawal period ends"},
}
INCL_VAT = {"fr": "TTC", "en": "incl. VAT"}

DEPOSIT_LABELS = {
    "acompte": {"fr": "un acompte", "en": "a deposit (acompte: a firm commitment)"},
    "arrhes": {"fr": "des arrhes", "en": "a deposit (arrhes: either party may withdraw, "
                                        "the client by losing it, the expert by paying it back "
                                        "twice)"},
    # C. civ. 1590 / L214-1: an unlabelled consumer prepayment counts as arrhes.
    "": {"fr": "des arrhes", "en": "a deposit (arrhes)"},
}


@dataclass(frozen=True)
class Consent:
    """``wording`` is what is stored and hashed; ``shown`` what the checkbox label reads
    (the same sentence without its SHA-256); ``proof`` the fingerprint shown apart."""

    key: str
    wording: str
    shown: str = ""
    proof: str = ""

    @property
    def label(self):
        return self.shown or self.wording


def deposit_due(spec):
    """When the deposit falls due, as the payment schedule will say (services.payments.plan)."""
    if rules.is_self_paid_training(spec):
        return "withdrawal_end"
    return "acceptance"


def required_consents(spec, lang):
    """The checkboxes the client must tick, in display order, worded in ``lang``."""
    lang = "en" if lang == "en" else "fr"
    terms = spec.get("terms") or {}
    consents = []
    if terms:
        values = {"title": terms.get("title", ""), "version": terms.get("version") or "",
                  "hash": terms.get("content_hash", "")}
        consents.append(Consent("terms", WORDING["terms"][lang].format(**values),
                                shown=TERMS_SHOWN[lang].format(**values) + ".",
                                proof=values["hash"]))
    if rules.early_start_requested(spec):
        days = rules.withdrawal_days(spec)
        consents.append(Consent("early_start", WORDING["early_start"][lang].format(days=days)))
        consents.append(Consent("withdrawal_loss", WORDING["withdrawal_loss"][lang]))
    payment = spec["engagement"]["payment"]
    if payment.get("deposit_percent"):
        label = DEPOSIT_LABELS.get(payment.get("deposit_label") or "", DEPOSIT_LABELS[""])
        ctx = build_context(spec, "quote", lang)
        deposit = ctx["deposit"]
        amount = formatting.money(deposit["incl_vat"], lang)
        if ctx["rules"]["vat_lines"]:
            amount = f"{amount}\u00a0{INCL_VAT[lang]}"
        due = DEPOSIT_DUE[deposit_due(spec)]
        days = rules.withdrawal_days(spec)
        consents.append(Consent("deposit", WORDING["deposit"][lang].format(
            label_fr=label["fr"], label_en=label["en"], amount=amount,
            percent=formatting.percent(deposit["percent"], lang),
            due_fr=due["fr"].format(days=days), due_en=due["en"].format(days=days),
        )))
    return consents


# Re-consent (services/reconsent.py): the client of an accepted quote accepts a new terms
# version for the rest of it. Stored with the new version's SHA-256, shown without it.
RECONSENT_SHOWN = {
    "fr": "J'ai lu et j'accepte les conditions générales de vente « {title} », version "
          "{version}, qui remplacent la version {previous} pour la suite du devis {number}",
    "en": "I have read and accept the terms of sale \u201c{title}\u201d, version {version}, "
          "which replace version {previous} for the rest of quote {number}",
}


def reconsent_consents(terms, previous, number, lang):
    """The one statement ticked to accept ``terms`` in place of ``previous``."""
    lang = "en" if lang == "en" else "fr"
    values = {"title": terms.title, "version": terms.version or "",
              "previous": previous.version or "", "number": number}
    shown = RECONSENT_SHOWN[lang].format(**values)
    return [Consent("terms", shown + TERMS_PROOF[lang].format(hash=terms.content_hash),
                    shown=shown + ".", proof=terms.content_hash)]
