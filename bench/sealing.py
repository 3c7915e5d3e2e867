"""Seal speed: PAdES signature of a signed pack with the signer loaded once, its validation,
and the cost of reloading the key for every document (what loading once avoids).

    .venv/bin/python bench/sealing.py [--rounds 20]

Makes a throw-away self-signed certificate and a 4-page pack (S2 quote + CGV + certificate,
converted once by LibreOffice). Target on the 2-core reference machine: seal <= 80 ms median
with the key loaded once (measured: ~53 ms with an EC P-256 key, tests running alongside).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.test import override_settings  # noqa: E402

from terms_kit.acceptance.pack import merge_pdfs  # noqa: E402
from terms_kit.documents import generation, sealing  # noqa: E402

SPEC = json.loads((ROOT / "wagtail_site/home/demo_data/s2_consulting_milestones.json").read_text())


def median_ms(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pack = merge_pdfs([generation.to_pdf(generation.render(SPEC, kind).docx)
                       for kind in ("quote", "terms", "certificate")])
    with tempfile.TemporaryDirectory() as folder:
        cert, key = sealing.make_self_signed(folder)
        seal = {"SEAL_CERTIFICATE": str(cert), "SEAL_KEY": str(key)}
        with override_settings(TERMS_KIT=seal):
            sealing.seal_pdf(pack, "warm-up")
            sealed = sealing.seal_pdf(pack, "bench")
            warm = median_ms(lambda: sealing.seal_pdf(pack, "bench"), rounds)
            check = median_ms(lambda: sealing.check_seal(sealed), rounds)

            def reload_then_seal():
                sealing._cache.clear()
                sealing.seal_pdf(pack, "bench")

            cold = median_ms(reload_then_seal, max(3, rounds // 4))
    print(f"pack: {len(pack) / 1024:.0f} KiB")
    print(f"seal, signer loaded once : {warm:7.1f} ms median")
    print(f"seal, key reloaded       : {cold:7.1f} ms median")
    print(f"validate (pyHanko)       : {check:7.1f} ms median")


if __name__ == "__main__":
    main()
