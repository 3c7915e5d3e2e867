"""Stripe webhook events handled per second through the Django view, with database writes.

    .venv/bin/python bench/payments_webhooks.py [--payments 100] [--copies 2] [--threads 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TERMS_KIT_TEST_DB_NAME=bench_x \\
        .venv/bin/python bench/payments_webhooks.py --threads 4

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
deliveries.
Target on the 2-core machine: >= 200 events/s.
"""

import argparse
import json
import os
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


def deliver(events, threads):
    """POST each (body, header) once; returns (seconds, status counts, per-request times)."""
    jobs = queue.Queue()
    for item in events:
        jobs.put(item)
    statuses, times, lock = {}, [], threading.Lock()
    by_type = {}

    def work():
        client = Client()
        while True:
            try:
                body, header = jobs.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            response = client.post("/terms/webhooks/stripe/", data=body,
                                   content_type="application/json",
                                   HTTP_STRIPE_SIGNATURE=header)
            elapsed = time.perf_counter() - start
            with lock:
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                times.append(elapsed)
                kind = json.loads(body)["type"]
                by_type.setdefault(kind, []).append(elapsed)
        if threads > 1:
            connection.close()

    start = time.perf_counter()
    if threads == 1:
        work()
    else:
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return time.perf_counter() - start, statuses, times, by_type


def run(payments=100, copies=2, threads=1, text_pdf=False, profile=False):
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
            events = make_payments(payments, fake)
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
            first, first_statuses, first_times, first_types = deliver(events, threads)
            if profile:
                profiler.disable()
                shown = r"terms_kit|db/models/query|sqlite|psycopg|log_actions"
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(shown, 45)

            again, again_statuses, again_times, _ = deliver(events * (copies - 1), threads)
            assert Payment.objects.count() - before[0] == payments
            assert Invoice.objects.filter(kind="deposit").count() - before[1] == payments
            assert ProviderEvent.objects.count() == 2 * payments
    finally:
        fake.stop()

    total = len(events) * copies
    seconds = first + again

    def line(label, count, took, times, statuses):
        median = statistics.median(times) * 1000 if times else 0
        print(f"{label:34} {count:6d} events {took:7.2f} s {count / took:8.1f} events/s   "
              f"median {median:6.2f} ms   HTTP {dict(sorted(statuses.items()))}")

    print(f"Stripe webhooks through the Django view (FAKE Stripe events). database: "
          f"{connection.vendor}, threads: {threads}, payments: {payments}, "
          f"{len(events) // payments} events each, delivered {copies}x, invoice PDF: "
          f"{'text PDF (LibreOffice left out)' if text_pdf else 'LibreOffice'}")
    line("first deliveries (payments written)", len(events), first, first_times, first_statuses)
    if copies > 1:
        line("redeliveries (duplicates)", total - len(events), again, again_times,
             again_statuses)
    print(f"{'all events':34} {total:6d} events {seconds:7.2f} s {total / seconds:8.1f} "
          f"events/s   (target >= 200/s)")
    for kind, times in sorted(first_types.items()):
        print(f"  first delivery of {kind:40} median {statistics.median(times) * 1000:7.2f} ms")


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
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the first deliveries (one thread) and print the top")
    parser.add_argument("--text-pdf", action="store_true",
                        help="invoices as text PDFs (tests/text_pdf.py) instead of LibreOffice")
    args = parser.parse_args()
    if connection.vendor == "sqlite" and args.threads > 1:
        parser.error("--threads needs PostgreSQL (SQLite in memory is one connection)")
    keep_connection()
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.payments, args.copies, args.threads, args.text_pdf, args.profile)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
