"""What a hostile PDF costs the public verification page, with and without the revision cap.

    .venv/bin/python bench/verify_hostile.py [--revisions 100 300 1000] [--uncapped]

The file: a blank PDF signed under the seal's field name by another key, then N appended
revisions (tests/integration/hostile_pdf.py). Prints, per N: the file size, the time of the
page's first step (SHA-256 lookup: "not a file of this site"), of check_seal with the cap
(refused on the raw revision count) and, with --uncapped, of a full pyHanko validation as
the page did before (measured here: 100 revisions 0.7 s, 300 2.3 s, 1000 19.6 s, 3000 271 s).
"""

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.test import override_settings  # noqa: E402
from hostile_pdf import append_revisions, foreign_sealed_pdf  # noqa: E402

from terms_kit.documents import sealing  # noqa: E402


def seconds(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--revisions", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--uncapped", action="store_true",
                        help="also time the full validation (minutes for thousands)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = sealing.make_self_signed(Path(tmp) / "ours")
        base = foreign_sealed_pdf(Path(tmp) / "other")
        with override_settings(TERMS_KIT={"SEAL_CERTIFICATE": str(cert), "SEAL_KEY": str(key)}):
            for count in args.revisions:
                data = append_revisions(base, count)
                lookup, _ = seconds(lambda data=data: hashlib.sha256(data).hexdigest())
                capped, check = seconds(lambda data=data: sealing.check_seal(data))
                line = (f"{count:5d} revisions, {len(data) / 1024:7.0f} KiB: hash lookup "
                        f"{lookup * 1000:6.2f} ms, capped check {capped * 1000:6.2f} ms "
                        f"({check.message})")
                if args.uncapped:
                    cap, sealing.MAX_REVISIONS = sealing.MAX_REVISIONS, 10**9
                    try:
                        full, _ = seconds(lambda data=data: sealing.check_seal(data))
                    finally:
                        sealing.MAX_REVISIONS = cap
                    line += f", uncapped validation {full:7.2f} s"
                print(line)


if __name__ == "__main__":
    main()
