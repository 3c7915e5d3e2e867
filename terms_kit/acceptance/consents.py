"""Which consents a client must give, and their exact wording, decided from the spec.

The wording is legal text that is stored as shown: it is written out here in both languages
(like the document templates), not left to translation catalogues, so a record always holds
the sentence the client actually read.
"""

from dataclasses import dataclass

from ..documents import rules

WORDING = {
    "terms": {
        "fr": "J'ai lu et j'accepte les conditions générales de vente « {title} », "
              "version {version} (empreinte SHA-256 {hash}).",
        "en": "I have read and accept the terms of sale \u201c{title}\u201d, version {version}"
              " (SHA-256 fingerprint {hash}).",
    },
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
    "deposit": {
        "fr": "J'accepte de verser {label_fr} de {percent} % du prix à l'acceptation.",
        "en": "I agree to pay {label_en} of {percent}% of the price on acceptance.",
    },
}

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
    key: str
    wording: str


def required_consents(spec, lang):
    """The checkboxes the client must tick, in display order, worded in ``lang``."""
    lang = "en" if lang == "en" else "fr"
    terms = spec.get("terms") or {}
    consents = []
    if terms:
        consents.append(Consent("terms", WORDING["terms"][lang].format(
            title=terms.get("title", ""), version=terms.get("version") or "",
            hash=terms.get("content_hash", ""),
        )))
    if rules.early_start_requested(spec):
        days = rules.withdrawal_days(spec)
        consents.append(Consent("early_start", WORDING["early_start"][lang].format(days=days)))
        consents.append(Consent("withdrawal_loss", WORDING["withdrawal_loss"][lang]))
    payment = spec["engagement"]["payment"]
    if payment.get("deposit_percent"):
        label = DEPOSIT_LABELS.get(payment.get("deposit_label") or "", DEPOSIT_LABELS[""])
        percent = str(payment["deposit_percent"]).rstrip("0").rstrip(".")
        consents.append(Consent("deposit", WORDING["deposit"][lang].format(
            label_fr=label["fr"], label_en=label["en"], percent=percent,
        )))
    return consents
