"""Median time to check one engagement (target: under 5 ms).

    .venv/bin/python bench/check_speed.py [--runs 1000]

Checks each scenario S1-S6 ``--runs`` times with ``check_spec`` (the same call the wizard's
live panel and ``termskit check`` make) and prints the median, 95th percentile and max per
scenario, then over all runs. Build of the Case view and every rule are included; reading
the JSON file is not.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from terms_kit.compliance import check_spec  # noqa: E402

SCENARIOS = sorted((ROOT / "wagtail_site" / "home" / "demo_data").glob("s*.json"))


def _ms(seconds):
    return f"{seconds * 1000:.3f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    runs = parser.parse_args().runs
    everything = []
    with translation.override("fr"):
        for path in SCENARIOS:
            spec = json.loads(path.read_text(encoding="utf-8"))
            check_spec(spec)  # warm-up: imports, YAML figures, translation catalogue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                check_spec(spec)
                times.append(time.perf_counter() - start)
            everything += times
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{path.stem:28} median {_ms(statistics.median(times))}   "
                  f"p95 {_ms(p95)}   max {_ms(max(times))}")
    print(f"{'all scenarios':28} median {_ms(statistics.median(everything))}   "
          f"({len(everything)} checks; target < 5 ms)")


if __name__ == "__main__":
    main()
