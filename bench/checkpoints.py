"""The cost of one chain checkpoint as the chain grows, next to the full check it used to run.

    .venv/bin/python bench/checkpoints.py [--records 50 200 1000] [--every 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TERMS_KIT_TEST_DB_NAME=bench_ckpt \\
        .venv/bin/python bench/checkpoints.py

Makes a fresh test database, a throw-away seal key (files in the test settings' in-memory
storage), then
appends intact consent records (new-terms consents of one engagement, written by the
acceptance service's own ``_append_record``) with a checkpoint every ``--every`` records,
as CHECKPOINT_AFTER_ACCEPTANCE does. At each size of ``--records`` it appends one record and
measures:

- ``checkpoint``: ``make_checkpoint()`` as it is now (the previous checkpoint's seal and the
  records since): CPU and wall time, queries, records checked, files read;
- ``full check``: ``check_chain() + check_checkpoints()``, what every checkpoint ran before
  (issue 16: 7.3 s each after 200 acceptances in bench/scale.py) and what ``termskit verify``
  still runs.

CPU time is this process's (time.process_time); the load average is printed with each line
because the machine is shared.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def loadavg():
    return Path("/proc/loadavg").read_text().split()[0]


class Counted:
    """Counts the records check_record sees and the checkpoint files read_stored opens
    (both still run)."""

    def __init__(self, evidence):
        self.records = self.files = 0
        check_record, read_stored = evidence.check_record, evidence.read_stored

        def record(value):
            self.records += 1
            return check_record(value)

        def read(name):
            self.files += 1
            return read_stored(name)

        evidence.check_record, evidence.read_stored = record, read

    def measure(self, work):
        self.records = self.files = 0
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = work()
        return (result, time.process_time() - cpu, time.perf_counter() - wall, len(queries),
                self.records, self.files)


def run(sizes, every):
    from terms_kit.acceptance import evidence
    from terms_kit.models import ConsentKind
    from terms_kit.services.acceptance import _append_record
    from terms_kit.services.checkpoints import make_checkpoint
    from terms_kit.spec.importing import import_spec
    from tests.conftest import scenario_spec

    owner = django.contrib.auth.get_user_model().objects.create_user("bench-expert")
    engagement = import_spec(scenario_spec("S2"), owner)
    kind = ConsentKind.TERMS_RECONSENT

    def append():
        now = timezone.now()
        payload = {"kind": kind.value, "engagement": {"id": engagement.pk},
                   "steps": {"signed_at": now.isoformat()}}
        with transaction.atomic():
            _append_record(engagement, kind, payload, now)

    counted = Counted(evidence)
    print(f"database: {connection.vendor}; a checkpoint every {every} record(s)")
    print(f"{'records':>8} | {'what':<11} | {'CPU ms':>8} | {'wall ms':>8} | {'queries':>7} | "
          f"{'records read':>12} | {'files read':>10} | load")
    made = 0
    for size in sorted(sizes):
        while made < size - 1:
            append()
            made += 1
            if made % every == 0:
                make_checkpoint()
        append()
        made += 1
        for label, work in (("checkpoint", make_checkpoint),
                            ("full check", lambda: evidence.check_chain()
                             + evidence.check_checkpoints())):
            result, cpu, wall, queries, records, files = counted.measure(work)
            if label == "full check":
                assert not result, result
            print(f"{size:>8} | {label:<11} | {cpu * 1000:>8.1f} | {wall * 1000:>8.1f} | "
                  f"{queries:>7} | {records:>12} | {files:>10} | {loadavg()}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--every", type=int, default=1,
                        help="records between two checkpoints (1: after each acceptance)")
    args = parser.parse_args()
    from terms_kit.documents import sealing

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            cert, key = sealing.make_self_signed(folder)
            seal = {"SEAL_CERTIFICATE": str(cert), "SEAL_KEY": str(key)}
            # The test settings' storage is in memory: no file is left behind.
            with override_settings(TERMS_KIT={**settings.TERMS_KIT, **seal}, ADMINS=[]):
                run(args.records, args.every)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
