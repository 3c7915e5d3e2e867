"""Payments benchmarks: figures printed, nothing asserted.

    .venv/bin/python bench/payments.py [--section ledger] [--sizes 3 10 30]

Sections (each a function registered in SECTIONS; add yours there):
- ``ledger``: the expert's ledger page (admin) rendered over HTTP in-process for engagements
  with 3, 10, 30 instalments: SQL queries and median time. Target: the query count does
  not grow with the number of instalments.
- ``webhooks``: Stripe webhook events per second through the Django view, redeliveries
  included (bench/payments_webhooks.py, also runnable alone with more options).

Runs on a throw-away test database (SQLite in memory, or PostgreSQL with DATABASE_URL and
TERMS_KIT_TEST_DB_NAME). Documents are made by the test text-PDF converter so that the
figures measure the ledger, not LibreOffice.
"""

import argparse
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.conftest import scenario_spec  # noqa: E402


def _database():
    from django.core import signals
    from django.db import close_old_connections, reset_queries

    # As Django's test runner does: a request must not close the (test) connection, nor
    # empty the query log that CaptureQueriesContext reads.
    signals.request_started.disconnect(reset_queries)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PDF_CONVERTER": "tests.text_pdf.TextPdfConverter",
                          "PDF_CONVERTER_OPTIONS": {}}
    settings.ALLOWED_HOSTS = ["*"]


def _engagement(owner, milestones):
    from decimal import Decimal

    from terms_kit.services import payments
    from terms_kit.services.status import change_status
    from terms_kit.spec import import_spec
    from terms_kit.status import Origin

    data = scenario_spec("S2")
    total = Decimal("12000.00")
    share = (total / milestones).quantize(Decimal("0.01"))
    amounts = [share] * (milestones - 1) + [total - share * (milestones - 1)]
    data["engagement"]["lines"] = [{"description": "Audit", "quantity": "1.000",
                                    "unit": "forfait", "unit_price": "12000.00",
                                    "vat_rate": "20.00", "discount_percent": None}]
    data["engagement"]["payment"]["milestones"] = [
        {"label": f"Étape {n + 1}", "amount": str(a), "deliverable": "", "validation": ""}
        for n, a in enumerate(amounts)]
    engagement = import_spec(data, owner)
    change_status(engagement, "sent", origin=Origin.ACCEPTANCE)
    change_status(engagement, "accepted", origin=Origin.ACCEPTANCE)
    payments.create_schedule(engagement)
    payments.record_payment(engagement, amount="4320.00", paid_on=engagement.issue_date,
                            method="transfer")
    # Half the milestones invoiced and paid: invoices, payments and instalments all grow.
    for milestone in list(engagement.milestones.all())[: milestones // 2]:
        invoice = payments.mark_milestone_done(engagement, milestone)
        if invoice.net > 0:
            payments.record_payment(engagement, amount=invoice.net,
                                    paid_on=engagement.issue_date, method="transfer")
    return engagement


def bench_ledger(args):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    owner = get_user_model().objects.create_superuser("bench", "bench@example.com", "pw")
    client = Client()
    client.force_login(owner)
    print("Ledger page (admin): SQL queries and median render time")
    print(f"{'instalments':>12} {'invoices':>9} {'payments':>9} {'queries':>8} {'median ms':>10}")
    for size in args.sizes:
        engagement = _engagement(owner, size)
        url = reverse("terms_kit_engagement_ledger", args=[engagement.pk])
        client.get(url)  # warm templates and caches
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{engagement.instalments.count():>12} {engagement.invoices.count():>9} "
              f"{engagement.payments.count():>9} {len(queries):>8} "
              f"{statistics.median(times):>10.1f}")


def bench_webhooks(args):
    """Stripe webhook events per second through the view: bench/payments_webhooks.py."""
    from payments_webhooks import run

    run(payments=args.payments, copies=args.copies, threads=1, text_pdf=True)


SECTIONS = {"ledger": bench_ledger, "webhooks": bench_webhooks}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--section", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 10, 30])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--payments", type=int, default=50, help="webhooks: card payments")
    parser.add_argument("--copies", type=int, default=2, help="webhooks: deliveries of each")
    args = parser.parse_args()
    _database()
    for name in args.section or list(SECTIONS):
        SECTIONS[name](args)


if __name__ == "__main__":
    main()
