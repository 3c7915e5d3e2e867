"""What every quote (devis) must say about the expert and the service."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..formatting import day
from ..registry import rule

# "EI" or "E.I." as a word, or the words in full (décret 2022-725 allows either).
EI_MENTION = re.compile(r"(?<![\w.])E\.?I\.?(?![\w])|entrepreneur individuel", re.IGNORECASE)
COMPULSORY_INSURANCE = ("lawyer", "accountant", "health")


@rule("devis.identity_ei", "error", "Loi 2022-172; C. com. R123-237 (décret 2022-725)",
      _lazy('A sole trader\'s name carries "EI" or "Entrepreneur individuel"'),
      field="identity.legal_name", mention="sole_trader")
def identity_ei(case):
    identity = case.identity
    if case.regime.is_sole_trader and not EI_MENTION.search(identity.legal_name):
        yield "identity.legal_name", _(
            'Your legal name "%(name)s" must say you are a sole trader: add "EI" or '
            '"Entrepreneur individuel" right before or after it (legal name field), e.g. '
            '"%(name)s EI".'
        ) % {"name": identity.legal_name}


@rule("devis.b2c_precontract", "error", "C. conso L111-1, R111-1, L221-5",
      _lazy("A consumer gets the expert's postal address, phone, e-mail and the time of "
            "performance before being bound"),
      field="identity.address")
def b2c_precontract(case):
    if not case.is_consumer_regime:
        return
    identity = case.identity
    if not identity.address.is_complete:
        yield "identity.address", _(
            "A consumer must be given your full postal address before signing: fill in the "
            "address, postcode and city of your business identity."
        )
    if not identity.phone.strip():
        yield "identity.phone", _(
            "A consumer must be given your phone number before signing (C. conso L111-1): "
            "fill in the phone field of your business identity."
        )
    if not identity.email.strip():
        yield "identity.email", _("Fill in the e-mail address of your business identity.")
    if not (case.start_date or case.end_date or case.duration.strip()):
        yield "engagement.start_date", _(
            "Tell the consumer when the service will be performed: fill in the start date, "
            "the end date or the duration."
        )


@rule("devis.insurance", "error", "Loi 2014-626 art. 22; C. com. L123-2 et seq.",
      _lazy("Professions with compulsory insurance name the insurer and the geographic cover"),
      field="identity.insurance")
def insurance(case):
    if case.identity.profession not in COMPULSORY_INSURANCE:
        return
    if not case.identity.insurer.strip():
        yield "identity.insurance.insurer", _(
            "Your profession must hold professional insurance: fill in the insurer of your "
            "business identity, it is printed on quotes and invoices."
        )
    if not case.identity.insurance_coverage.strip():
        yield "identity.insurance.coverage", _(
            "Fill in the geographic cover of your professional insurance (e.g. \"France\")."
        )


@rule("devis.validity_date", "warning", "C. civ. 1116, 1117 (good practice)",
      _lazy("A quote states until when it can be accepted"),
      field="engagement.validity_date")
def validity_date(case):
    if case.validity_date is None:
        yield "engagement.validity_date", _(
            "Without a validity date the offer lapses only after a “reasonable time”: fill in "
            "the “valid until” date (30 days is usual)."
        )
    elif case.validity_date < case.issue_date:
        yield "engagement.validity_date", _(
            "The quote expires (%(until)s) before it is issued (%(issued)s): move the "
            "“valid until” date after the issue date."
        ) % {"until": day(case.validity_date), "issued": day(case.issue_date)}
