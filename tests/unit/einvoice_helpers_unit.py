"""Invoice snapshots as services/invoicing.issue writes them, without the database."""

import datetime
from decimal import Decimal

from terms_kit import money
from terms_kit.money import VatBreakdown
from terms_kit.services.invoicing import _plain, rows_from_excl_vat, rows_from_incl_vat, totals_of


def snapshot_for(spec, kind, amount, rates, deducted_share):
    """The document snapshot of an invoice of ``kind`` for ``amount`` over ``rates``."""
    spec["engagement"].setdefault("number", "D-2026-0001")
    today = datetime.date.today()
    weights = [VatBreakdown(rate=rate, base=Decimal("100.00"),
                            vat=money.to_cents(Decimal("100.00") * rate / 100))
               for rate in rates]
    if kind == "milestone":
        rows = rows_from_excl_vat(amount, weights)
    else:
        rows = rows_from_incl_vat(amount, weights)
    if kind in ("final", "act"):  # bills the engagement's lines as accepted
        lines = spec["engagement"]["lines"]
        from terms_kit.documents.context import _lines_and_totals

        _lines, totals = _lines_and_totals(lines)
        rows = [{"rate": row.rate, "base": row.base, "vat": row.vat,
                 **({"exemption": row.exemption} if row.exemption else {})}
                for row in totals.breakdown]
    else:  # one exemption for the 0 % rows, as the lines of these tests say
        exemption = next((line["vat_exemption"] for line in spec["engagement"]["lines"]
                          if line.get("vat_exemption")), "")
        rows = [dict(row, exemption=exemption) if exemption and Decimal(row["rate"]) == 0
                else row for row in rows]
    excl, vat, incl = totals_of(rows)
    deducted = money.to_cents(incl * deducted_share) if kind != "credit_note" else money.ZERO
    if kind == "deposit":
        deducted = money.ZERO
    figures = {
        "kind": kind, "series": "credit_note" if kind == "credit_note" else "invoice",
        "number": ("AV" if kind == "credit_note" else "F") + "-2026-0042",
        "date": today, "due_date": today + datetime.timedelta(days=30),
        "rows": rows, "excl_vat": excl, "vat": vat, "incl_vat": incl,
        "deductions": [{"reference": "F-2026-0001", "kind": "deposit", "amount": deducted}]
        if deducted else [],
        "deducted": deducted, "net": incl - deducted, "title": "Mission",
        "corrects": {"number": "F-2026-0001", "date": today} if kind == "credit_note" else None,
        "transfer": None,
    }
    if kind == "deposit":
        figures.update(received_on=today, paid=incl, due_date=None)
    if kind == "credit_note":
        figures.update(reason="Geste commercial", due_date=None)
    return {"spec": spec, "extras": {"invoice": _plain(figures)}}
