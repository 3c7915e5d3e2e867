"""The invoice mentions of the e-invoicing reform, from the expert's own start date.

Décret 2022-1299 (as amended by décret 2024-266) adds to CGI ann. II 242 nonies A: the
client's SIREN, the category of the operation (goods, services or mixed), the option for VAT
on debits when taken, and the delivery address when it differs from the client's. They are
required from the date the issuer enters e-invoicing: the expert's own
``identity.einvoicing_from`` when set, else the dated figure ``einvoicing_issue_sme_from``
(terms_kit/compliance/params/fr.yaml: 1 September 2027 for SMEs and micro-businesses, the
calendar of LF 2024 art. 91). Before that date nothing here blocks anything.

``einvoicing_problems`` is what the checker (rule fac.2026_mentions) reports on a quote whose
invoices will fall after the start, and what services/invoicing.py refuses to issue an invoice
without, at the invoice's own date.
"""

import datetime

from django.utils.translation import gettext as _
from stdnum.fr import siren as fr_siren

from ..compliance.formatting import day
from ..compliance.params import value as figure_on
from .treatments import OPERATION_CATEGORIES


def _date(value):
    if isinstance(value, datetime.date) or value is None:
        return value
    return datetime.date.fromisoformat(value) if value else None


def einvoicing_start(spec, on=None):
    """The first day the 2026 mentions are required of this expert."""
    own = _date(spec["identity"].get("einvoicing_from"))
    return own or figure_on("einvoicing_issue_sme_from", on or datetime.date.today())


def client_is_french_business(spec):
    """A business client established in France (no country means France): it has a SIREN."""
    client = spec["client"]
    country = ((client.get("address") or {}).get("country") or "FR").upper()
    return client["kind"] == "business" and country == "FR"


def einvoicing_problems(spec, on):
    """(spec field, message) for each 2026 mention missing on an invoice issued on ``on``."""
    start = einvoicing_start(spec, on)
    if on < start:
        return []
    found = []
    when = day(start)
    if client_is_french_business(spec) and not fr_siren.is_valid(spec["client"].get("siren") or ""):
        found.append(("client.siren", _(
            "From %(start)s your invoices to businesses must show the client's SIREN "
            "(décret 2022-1299): fill in a valid 9-digit SIREN for this client.") % {
                "start": when}))
    category = spec["engagement"].get("operation_category") or "services"
    if category not in OPERATION_CATEGORIES:
        found.append(("engagement.operation_category", _(
            "From %(start)s invoices state the category of the operation: choose services, "
            "goods or mixed.") % {"start": when}))
    address = spec["engagement"].get("delivery_address") or {}
    given = [key for key in ("line1", "postcode", "city") if (address.get(key) or "").strip()]
    if given and len(given) < 3:
        found.append(("engagement.delivery_address", _(
            "From %(start)s invoices show the delivery address when it differs from the "
            "client's: complete its address, postcode and city, or leave all three empty when "
            "it is the client's address.") % {"start": when}))
    return found
