"""Stripe webhook events handled per second through the Django view, with database writes.

    .venv/bin/python bench/payments_webhooks.py [--payments 100] [--copies 2] [--threads 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TERMS_KIT_TEST_DB_NAME=bench_x \\
        .venv/bin/python bench/payments_webhooks.py [--threads 2 | --processes 2]

Makes a fresh test database (SQLite in memory, or PostgreSQL), ``--payments`` S2 engagements
accepted with their schedule, and one card checkout each through the real stripe SDK against
the FAKE Stripe server (tests/fakes/stripe_server.py), which "pays" them and signs the events
Stripe would send: charge.succeeded (ignored), payment_intent.succeeded and
checkout.session.completed (the same payment twice). Every event is then POSTed ``--copies``
times to /terms/webhooks/stripe/ through Django's full request stack (signature check,
event row, payment, numbered deposit invoice record, status change; or a duplicate no-op).
The invoice's DOCX + PDF/A and the e-mails are django-tasks tasks enqueued after the commit
(queued here in the dummy backend, not run). ``--text-pdf`` replaces LibreOffice by the
tests' text-PDF converter (tests/text_pdf.py); ``--profile`` prints a cProfile of the first
deliveries. One more payment's events are delivered first, not measured: they warm the
process up as a server worker's first requests do.
Target on the 2-core machine: >= 200 events/s.
"""

import argparse
import json
import os
import pickle
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from fakes.stripe_server import FakeStripe  # noqa: E402

SECRET, KEY = "whsec_bench", "sk_test_bench"


def make_payments(count, fake):
    from django.contrib.auth import get_user_model

    from conftest import scenario_spec
    from terms_kit.models import Payment
    from terms_kit.services import online_payments, payments
    from terms_kit.services.status import change_status
    from terms_kit.spec import import_spec
    from terms_kit.status import Origin, Status

    owner = get_user_model().objects.create_user("bench-expert", password="x", is_staff=True)
    for _ in range(count):
        engagement = import_spec(scenario_spec("S2"), owner)
        change_status(engagement, Status.SENT, origin=Origin.ACCEPTANCE)
        change_status(engagement, Status.ACCEPTED, origin=Origin.ACCEPTANCE)
        payments.create_schedule(engagement)
        deposit = engagement.instalments.get(kind="deposit")
        checkout = online_payments.start_checkout(
            engagement, deposit.pk, success_url="http://bench/ok", cancel_url="http://bench/no")
        fake.pay(checkout.session_id)
    assert not Payment.objects.exists()
    return fake.take_events()


def _backend_cpu():
    """CPU seconds used so far by this thread's PostgreSQL backend process (None when the
    server is not on this machine or not readable): the database's share of each event."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Delivery:
    """What one pass of deliveries measured."""

    def __init__(self):
        self.seconds, self.cpu, self.db_cpu = 0.0, 0.0, None
        self.statuses, self.times, self.by_type, self.queries = {}, [], {}, {}


def deliver(events, threads, show_sql=False):
    """POST each (body, header) once; returns a Delivery (wall and CPU time, HTTP statuses,
    per-request times and SQL query counts by event type)."""
    jobs = queue.Queue()
    for item in events:
        jobs.put(item)
    result, lock = Delivery(), threading.Lock()

    def work():
        client = Client()
        db_start = _backend_cpu()
        count, statements = [0], []

        def counter(execute, sql, params, many, context):
            count[0] += 1
            if show_sql:
                statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            while True:
                try:
                    body, header = jobs.get_nowait()
                except queue.Empty:
                    break
                count[0] = 0
                statements.clear()
                start = time.perf_counter()
                response = client.post("/terms/webhooks/stripe/", data=body,
                                       content_type="application/json",
                                       HTTP_STRIPE_SIGNATURE=header)
                elapsed = time.perf_counter() - start
                with lock:
                    result.statuses[response.status_code] = (
                        result.statuses.get(response.status_code, 0) + 1)
                    result.times.append(elapsed)
                    kind = json.loads(body)["type"]
                    result.by_type.setdefault(kind, []).append(elapsed)
                    if show_sql and kind not in result.queries:
                        print(f"--- SQL of one delivery of {kind} ({count[0]} queries)")
                        for number, sql in enumerate(statements, 1):
                            print(f"{number:3d} {sql[:300]}")
                    result.queries.setdefault(kind, []).append(count[0])
        db_end = _backend_cpu()
        if db_start is not None and db_end is not None:
            with lock:
                result.db_cpu = (result.db_cpu or 0.0) + db_end - db_start
        if threads > 1:
            connection.close()

    start, cpu_start = time.perf_counter(), time.process_time()
    if threads == 1:
        work()
    else:
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    result.seconds = time.perf_counter() - start
    result.cpu = time.process_time() - cpu_start
    return result


def deliver_in_processes(events, processes, show_sql=False):
    """As ``deliver``, by ``processes`` forked worker processes (gunicorn's workers: one
    core each, no shared GIL), each with its own database connection and one share of
    the events; returns their Delivery merged (wall time of the whole, CPU summed)."""
    from django.db import connections

    connections.close_all()  # each child opens its own; none inherits this socket
    start = time.perf_counter()
    children = []
    for index in range(processes):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: deliver its share, send the Delivery back, exit at once
            os.close(read)
            code, part = 0, None
            try:
                part = deliver(events[index::processes], 1, show_sql and index == 0)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            with os.fdopen(write, "wb") as out:
                out.write(pickle.dumps(part))
            os._exit(code)
        os.close(write)
        children.append((pid, read))
    result = Delivery()
    for pid, read in children:
        with os.fdopen(read, "rb") as inp:
            part = pickle.loads(inp.read())
        os.waitpid(pid, 0)
        if part is None:
            raise SystemExit("a worker process failed (traceback above)")
        result.cpu += part.cpu
        if part.db_cpu is not None:
            result.db_cpu = (result.db_cpu or 0.0) + part.db_cpu
        for status, count in part.statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count
        result.times += part.times
        for kind, times in part.by_type.items():
            result.by_type.setdefault(kind, []).extend(times)
        for kind, counts in part.queries.items():
            result.queries.setdefault(kind, []).extend(counts)
    result.seconds = time.perf_counter() - start
    return result


def run(payments=100, copies=2, threads=1, text_pdf=False, profile=False, show_sql=False,
        processes=1):
    """Make the payments, deliver their events, print the figures (the database exists)."""
    fake = FakeStripe(SECRET, secret_key=KEY).start()
    overrides = {
        "TERMS_KIT": {**settings.TERMS_KIT,
                      "PAYMENT_PROVIDER": "terms_kit.payments.providers.stripe.StripeProvider",
                      "PAYMENT_PROVIDER_OPTIONS": {"secret_key": KEY, "webhook_secret": SECRET,
                                                   "api_base": fake.url}},
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    }
    if text_pdf:
        overrides["TERMS_KIT"]["PDF_CONVERTER"] = "tests.text_pdf.TextPdfConverter"
        overrides["TERMS_KIT"]["PDF_CONVERTER_OPTIONS"] = {}
    try:
        with override_settings(**overrides):
            from terms_kit.models import Invoice, Payment, ProviderEvent

            before = Payment.objects.count(), Invoice.objects.filter(kind="deposit").count()
            events = make_payments(payments + 1, fake)
            # The first payment's events warm the process up, not measured: a server
            # worker loads the translations and the lazily imported modules on its first
            # requests only (about 0.1 s here, which would count against 300 events).
            warm_count = len(events) // (payments + 1)
            warm, events = events[:warm_count], events[warm_count:]
            deliver(warm, 1)
            deliver(warm, 1)
            load = os.getloadavg()
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
            def send(items):
                if processes > 1:
                    return deliver_in_processes(items, processes, show_sql)
                return deliver(items, threads, show_sql)

            first = send(events)
            if profile:
                profiler.disable()
                shown = r"terms_kit|db/models/query|sqlite|psycopg|log_actions"
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(shown, 45)

            again = send(events * (copies - 1))
            assert Payment.objects.count() - before[0] == payments + 1
            assert Invoice.objects.filter(kind="deposit").count() - before[1] == payments + 1
            assert ProviderEvent.objects.count() == 2 * (payments + 1)
    finally:
        fake.stop()

    total = len(events) * copies
    seconds = first.seconds + (again.seconds if copies > 1 else 0)

    def line(label, count, took):
        median = statistics.median(took.times) * 1000 if took.times else 0
        print(f"{label:34} {count:6d} events {took.seconds:7.2f} s "
              f"{count / took.seconds:8.1f} events/s   median {median:6.2f} ms   "
              f"HTTP {dict(sorted(took.statuses.items()))}")

    def cpu(label, count, took):
        db = (f" + PostgreSQL backend {took.db_cpu / count * 1000:6.2f} ms = "
              f"{(took.cpu + took.db_cpu) / count * 1000:6.2f} ms" if took.db_cpu is not None
              else "")
        print(f"  CPU per event, {label:22} bench process {took.cpu / count * 1000:6.2f} ms"
              f"{db}")

    print(f"Stripe webhooks through the Django view (FAKE Stripe events). database: "
          f"{connection.vendor}, threads: {threads}, processes: {processes}, "
          f"payments: {payments}, "
          f"{len(events) // payments} events each, delivered {copies}x, invoice PDF: "
          f"{'text PDF (LibreOffice left out)' if text_pdf else 'LibreOffice'}")
    print(f"load average before the deliveries: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    line("first deliveries (payments written)", len(events), first)
    if copies > 1:
        line("redeliveries (duplicates)", total - len(events), again)
    print(f"{'all events':34} {total:6d} events {seconds:7.2f} s {total / seconds:8.1f} "
          f"events/s   (target >= 200/s)")
    cpu("first deliveries", len(events), first)
    if copies > 1:
        cpu("redeliveries", total - len(events), again)
        all_cpu = first.cpu + again.cpu + (first.db_cpu or 0) + (again.db_cpu or 0)
        print(f"  CPU per event, {'all events':22} {all_cpu / total * 1000:6.2f} ms "
              f"(2 idle cores would handle about {2 * total / all_cpu:.0f} events/s at this "
              f"CPU cost, ignoring round-trip waits)")
    for kind, times in sorted(first.by_type.items()):
        print(f"  first delivery of {kind:30} median {statistics.median(times) * 1000:7.2f} ms"
              f"   SQL queries {_spread(first.queries[kind])}")
    if copies > 1:
        for kind in sorted(again.queries):
            print(f"  redelivery of {kind:34}   SQL queries {_spread(again.queries[kind])}")
    per_payment = sum(sum(counts) for counts in first.queries.values()) / payments
    print(f"  SQL queries per new payment (first delivery of its {len(events) // payments} "
          f"events): {per_payment:.1f}")


def _spread(counts):
    low, high = min(counts), max(counts)
    return f"{low}" if low == high else f"{low}-{high} (mean {statistics.mean(counts):.1f})"


def keep_connection():
    """As Django's test runner does: a request must not close the (test) connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100)
    parser.add_argument("--copies", type=int, default=2, help="deliveries of each event")
    parser.add_argument("--threads", type=int, default=1,
                        help="worker threads in this process (they share one GIL)")
    parser.add_argument("--processes", type=int, default=1,
                        help="forked worker processes, as gunicorn's workers (PostgreSQL)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the first deliveries (one thread) and print the top")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the SQL of one first delivery and one redelivery of "
                             "each event type")
    parser.add_argument("--text-pdf", action="store_true",
                        help="invoices as text PDFs (tests/text_pdf.py) instead of LibreOffice")
    args = parser.parse_args()
    if connection.vendor == "sqlite" and (args.threads > 1 or args.processes > 1):
        parser.error("--threads and --processes need PostgreSQL (SQLite in memory is one "
                     "connection)")
    if args.processes > 1 and (args.threads > 1 or args.profile):
        parser.error("--processes runs one thread per process, without --profile")
    keep_connection()
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.payments, args.copies, args.threads, args.text_pdf, args.profile,
            args.show_sql, args.processes)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
