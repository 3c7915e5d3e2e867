"""Factur-X invoice speed: DOCX render + PDF/A-3 (warm LibreOffice pool) + CII XML + checks +
embedding, per invoice, with the split.

    .venv/bin/python bench/einvoice.py [--invoices 20] [--validation full|en16931|xsd]

Each round makes S2's deposit, milestone and final invoices and a credit note, one after the
other, as the make_invoice_document task does (without the database). Prints the median and
95th percentile per invoice and the median of each step: render (DOCX), build (XML),
validate (XSD + schematrons, Saxon, compiled once before timing), convert (PDF/A-3 by the
warm pool), embed (factur-x). Target on the 2-core machine: <= 400 ms per invoice.

Wall times scale with the machine's load, so it also prints CPU time per invoice: this
process's (time.process_time: render, build, the schematrons' thread, embed) and LibreOffice's
(user + system time of the pool's processes, from /proc), and the CPU time of each in-process
step measured alone, one after the other, on the same invoices.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from terms_kit.documents import generation  # noqa: E402
from terms_kit.documents.context import _lines_and_totals  # noqa: E402
from terms_kit.documents.converters.pool import LibreOfficePool  # noqa: E402
from terms_kit.einvoicing.cii import kind_document  # noqa: E402
from terms_kit.einvoicing.issuing import make_facturx  # noqa: E402
from terms_kit.einvoicing.validation import validate_xml  # noqa: E402
from terms_kit.services.invoicing import (  # noqa: E402
    _plain,
    rows_from_excl_vat,
    rows_from_incl_vat,
    totals_of,
)

SPEC = json.loads((ROOT / "wagtail_site/home/demo_data/s2_consulting_milestones.json").read_text())
SPEC["engagement"]["number"] = "D-2026-0001"


def snapshots():
    """S2's deposit, first milestone, final invoice and a credit note, as issued."""
    _lines, totals = _lines_and_totals(SPEC["engagement"]["lines"])
    today = datetime.date.today()
    due = today + datetime.timedelta(days=30)
    deposit = rows_from_incl_vat("4320.00", totals.breakdown)
    milestone = rows_from_excl_vat("4000.00", totals.breakdown)
    final = [{"rate": r.rate, "base": r.base, "vat": r.vat} for r in totals.breakdown]
    credit = rows_from_incl_vat("100.00", totals.breakdown)
    made = []
    for kind, number, rows, deducted, extra in (
        ("deposit", "F-2026-0001", deposit, "0", {"received_on": today, "paid": "4320.00"}),
        ("milestone", "F-2026-0002", milestone, "4320.00", {"due_date": due}),
        ("final", "F-2026-0003", final, "12000.00", {"due_date": due}),
        ("credit_note", "AV-2026-0001", credit, "0",
         {"corrects": {"number": "F-2026-0001", "date": today}, "reason": "Geste"}),
    ):
        excl, vat, incl = totals_of(rows)
        figures = {"kind": kind, "number": number, "date": today, "rows": rows,
                   "excl_vat": excl, "vat": vat, "incl_vat": incl, "deducted": deducted,
                   "deductions": [{"reference": "F-2026-0001", "kind": "deposit",
                                   "amount": deducted}] if deducted != "0" else [],
                   "net": incl - Decimal(deducted), "title": "Mission",
                   "transfer": None, **extra}
        made.append((kind, _plain(figures)))
    return made


def _ticks_of(pid):
    """User + system clock ticks of one process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def children_cpu():
    """CPU seconds used so far by every descendant of this process (the pool's UNO workers
    and their soffice): what LibreOffice spends, whatever the load."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, changed = {os.getpid()}, True
    while changed:
        found = {pid for pid, parent in parents.items() if parent in family} - family
        changed = bool(found)
        family |= found
    family.discard(os.getpid())
    ticks = sum(filter(None, (_ticks_of(pid) for pid in family)))
    return ticks / os.sysconf("SC_CLK_TCK")


def isolated_cpu(invoices, xmls, pdfs, rounds=3):
    """CPU time of each in-process step alone (no thread, no conversion running)."""
    from lxml import etree

    from terms_kit.einvoicing.cii import build_cii
    from terms_kit.einvoicing.pdf import embed
    from terms_kit.einvoicing.validation import check_xsd

    steps = {
        "render": lambda i: generation.render(SPEC, kind_document(invoices[i][0]),
                                              extras={"invoice": invoices[i][1]}),
        "build": lambda i: build_cii(generation.snapshot_of(
            SPEC, kind_document(invoices[i][0]), {"invoice": invoices[i][1]}), "fr"),
        "xsd": lambda i: check_xsd(etree.fromstring(xmls[i])),
        "en16931": lambda i: validate_xml(xmls[i], french_rules=False),
        "full": lambda i: validate_xml(xmls[i]),
        "embed": lambda i: embed(pdfs[i], xmls[i], "fr", check_xsd=False),
    }
    figures = {}
    for name, step in steps.items():
        start = time.process_time()
        for _round in range(rounds):
            for index in range(len(invoices)):
                step(index)
        figures[name] = (time.process_time() - start) / (rounds * len(invoices))
    return figures


def ms(values, q=None):
    if q is None:
        return f"{statistics.median(values) * 1000:6.0f} ms"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000:6.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=20)
    parser.add_argument("--validation", choices=["full", "en16931", "xsd"], default="full")
    args = parser.parse_args()

    pool = LibreOfficePool(size=2, fallback=False)
    pool.start()
    invoices = snapshots()
    # Warm everything that is paid once per process: Saxon's compilation, the XSD, a first
    # conversion of each template.
    for kind, figures in invoices:
        rendered = generation.render(SPEC, kind_document(kind), extras={"invoice": figures})
        made = make_facturx(rendered, pool, validate="full")
        assert validate_xml(made.xml).valid, kind
    steps = {name: [] for name in ("render", "build", "validate", "convert", "embed")}
    per_invoice, baseline, own_cpu, office_cpu, xmls, pdfs = [], [], [], [], {}, {}
    for index in range(args.invoices):
        kind, figures = invoices[index % len(invoices)]
        start, cpu, office = time.perf_counter(), time.process_time(), children_cpu()
        rendered = generation.render(SPEC, kind_document(kind), extras={"invoice": figures})
        render = time.perf_counter() - start
        made = make_facturx(rendered, pool, validate=args.validation)
        per_invoice.append(time.perf_counter() - start)
        own_cpu.append(time.process_time() - cpu)
        office_cpu.append(children_cpu() - office)
        xmls[index % len(invoices)], pdfs[index % len(invoices)] = made.xml, made.pdf
        steps["render"].append(render)
        for name, seconds in made.timings.items():
            steps[name].append(seconds)
        # The same invoice as a plain PDF/A-2b (what it was before Factur-X), in the same
        # run: on a loaded machine the difference says more than the absolute figures.
        start = time.perf_counter()
        generation.to_pdf(generation.render(SPEC, kind_document(kind),
                                            extras={"invoice": figures}).docx, pool)
        baseline.append(time.perf_counter() - start)
    pool.close()
    alone = isolated_cpu(invoices, xmls, pdfs)
    print(f"Factur-X invoices (S2: deposit, milestone, final, credit note), {args.invoices} "
          f"invoices, validation={args.validation}, warm pool of 2, {os.cpu_count()} cores")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average {load} (figures scale with it)")
    print(f"  per invoice   median {ms(per_invoice)}   p95 {ms(per_invoice, 0.95)}   "
          "(target <= 400 ms)")
    print(f"  PDF/A-2b only median {ms(baseline)}   p95 {ms(baseline, 0.95)}   "
          "(render + convert, same run: the cost before Factur-X)")
    print(f"  CPU per invoice: this process median {ms(own_cpu)}, LibreOffice median "
          f"{ms(office_cpu)} (load-independent; soffice ticks are 10 ms)")
    print("  wall time per step (validate overlaps convert):")
    for name, values in steps.items():
        if values:
            print(f"  {name:<9}     median {ms(values)}   p95 {ms(values, 0.95)}")
    print("  CPU per step, each alone in this process (mean of the 4 invoices x 3):")
    print("  " + "   ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in alone.items()))


if __name__ == "__main__":
    main()
