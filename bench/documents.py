"""Document generation speed, in one run, side by side.

    .venv/bin/python bench/documents.py [--rounds 5] [--docs 24]

Prints the median DOCX render time per document, the median time of a quote + CGV +
certificate pack converted by the warm LibreOffice pool and by cold soffice (per document too),
and documents per second through a pool of 2 converters. Targets on the 2-core reference
machine: warm pack >= 4x faster than cold; >= 4 documents/s with 2 converters; DOCX <= 80 ms.
"""

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from terms_kit.documents import generation  # noqa: E402
from terms_kit.documents.converters.cold import ColdSofficeConverter  # noqa: E402
from terms_kit.documents.converters.pool import LibreOfficePool  # noqa: E402

PACK = ("quote", "terms", "certificate")
SPEC = json.loads((ROOT / "wagtail_site/home/demo_data/s2_consulting_milestones.json").read_text())


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def median_ms(values):
    return f"{statistics.median(values) * 1000:7.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--docs", type=int, default=24)
    args = parser.parse_args()

    render_times = {kind: [] for kind in PACK}
    docx = {}
    for _ in range(args.rounds * 2):
        for kind in PACK:
            seconds, rendered = timed(generation.render, SPEC, kind)
            render_times[kind].append(seconds)
            docx[kind] = rendered.docx

    warm_pool = LibreOfficePool(size=1, fallback=False)
    start_seconds, _ = timed(warm_pool.start)
    cold = ColdSofficeConverter()
    warm = {"pack": [], **{kind: [] for kind in PACK}}
    cold_times = {"pack": [], **{kind: [] for kind in PACK}}
    for _ in range(args.rounds):
        for converter, times in ((warm_pool, warm), (cold, cold_times)):
            total = 0.0
            for kind in PACK:
                seconds, _ = timed(converter.convert, docx[kind])
                times[kind].append(seconds)
                total += seconds
            times["pack"].append(total)
    warm_pool.close()

    pool = LibreOfficePool(size=2, fallback=False)
    pool.start()
    jobs = [docx[PACK[i % len(PACK)]] for i in range(args.docs)]
    with ThreadPoolExecutor(max_workers=2) as executor:
        elapsed, _ = timed(lambda: list(executor.map(pool.convert, jobs)))
    pool.close()

    print(f"S2 pack ({' + '.join(PACK)}), {args.rounds} rounds, medians")
    print(f"{'':<14}{'DOCX render':>12}{'warm pool':>12}{'cold soffice':>14}")
    for kind in PACK:
        print(f"{kind:<14}{median_ms(render_times[kind]):>12}{median_ms(warm[kind]):>12}"
              f"{median_ms(cold_times[kind]):>14}")
    print(f"{'pack':<14}{'':>12}{median_ms(warm['pack']):>12}{median_ms(cold_times['pack']):>14}")
    speedup = statistics.median(cold_times["pack"]) / statistics.median(warm["pack"])
    print(f"warm pack is {speedup:.1f}x faster than cold soffice (target >= 4x)")
    print(f"pool start-up (1 worker): {start_seconds:.1f} s, paid once per process")
    print(f"2 converters: {args.docs} documents in {elapsed:.2f} s = "
          f"{args.docs / elapsed:.1f} documents/s (target >= 4)")
    worst = max(statistics.median(times) for times in render_times.values())
    print(f"slowest DOCX render median: {worst * 1000:.0f} ms a document (target <= 80 ms)")


if __name__ == "__main__":
    main()
