"""The price step's running totals: the lines on screen, valid or not yet, through the same
money code as the documents (terms_kit/money.py: one rounding per line, VAT once per rate).

A row counts once it validates and is not marked for removal; an empty extra row does not.
So the figures the expert sees while typing are exactly those the quote will print.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from ..admin.formatting import admin_language, admin_money
from ..documents import formatting
from ..money import ZERO, Totals, compute_totals


@dataclass
class DraftTotals:
    totals: Totals
    # {form prefix ("lines-0"): net amount} for the rows counted; others show no net.
    nets: dict = field(default_factory=dict)
    # Rows typed but not counted yet (incomplete or invalid): the page says how many.
    skipped: int = 0

    @property
    def excl_vat_display(self):
        return admin_money(self.totals.total_excl_vat)

    @property
    def incl_vat_display(self):
        return admin_money(self.totals.total_incl_vat)

    @property
    def nets_display(self):
        return {prefix: admin_money(net) for prefix, net in self.nets.items()}

    def as_json(self):
        """Figures as strings (exact Decimals) and formatted for the reader's language."""
        totals = self.totals
        return {
            "excl_vat": str(totals.total_excl_vat),
            "vat": str(totals.total_vat),
            "incl_vat": str(totals.total_incl_vat),
            "breakdown": [{"rate": str(row.rate), "base": str(row.base), "vat": str(row.vat)}
                          for row in totals.breakdown],
            "nets": {prefix: str(net) for prefix, net in self.nets.items()},
            "nets_display": self.nets_display,
        }

    def breakdown_display(self):
        lang = admin_language()
        return [{"rate": formatting.percent(row.rate, lang), "base": admin_money(row.base),
                 "vat": admin_money(row.vat)} for row in self.totals.breakdown]


def draft_totals(formset, franchise=False):
    """Totals of the rows of a bound or unbound line formset that would be kept on save."""
    counted, skipped = [], 0
    for index, form in enumerate(formset.forms):
        if formset.is_bound:
            if index >= formset.initial_form_count() and not form.has_changed():
                continue  # an empty extra row is ignored on save too
            if not form.is_valid():
                skipped += not form["DELETE"].data if "DELETE" in form.fields else 1
                continue
            if formset._should_delete_form(form):
                continue
            row = form.cleaned_data
        else:
            if index >= formset.initial_form_count():
                continue
            row = form.initial
        if row.get("quantity") is None or row.get("unit_price") is None:
            continue
        counted.append((form.prefix, SimpleNamespace(
            quantity=row["quantity"], unit_price=row["unit_price"],
            vat_rate=ZERO if franchise else (row.get("vat_rate") or ZERO),
            discount_percent=row.get("discount_percent"))))
    totals = compute_totals([line for _prefix, line in counted])
    nets = {prefix: net for (prefix, _line), net in zip(counted, totals.line_nets, strict=True)}
    return DraftTotals(totals=totals, nets=nets, skipped=skipped)
