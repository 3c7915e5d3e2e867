"""Dunning benchmark: the daily decision pass over many open invoices. Figures printed.

    .venv/bin/python bench/dunning.py [--experts 200] [--invoices 10000] [--batch 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TERMS_KIT_TEST_DB_NAME=bench_dunning \
        .venv/bin/python bench/dunning.py

Makes a throw-away test database with ``--experts`` experts, each with one accepted S2
engagement and its share of ``--invoices`` overdue milestone invoices (due 0 to 60 days ago,
one in ten partly paid, one in twenty paused, a few experts with their own ladder), written
in bulk: the figures measure the decision pass, not invoice issuing. Then times
``terms_kit.dunning.run.run`` (the decision pass; the reminders it makes ready are queued
for the background and not sent here) and counts its SQL queries, twice: the first run
decides, the second the same day finds everything decided. Target: under 10 s on 2 cores.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_site.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from tests.conftest import scenario_spec  # noqa: E402


def _database():
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _populate(experts, invoices, today):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from terms_kit.models import (
        Allocation,
        DunningLadder,
        DunningPause,
        Engagement,
        Instalment,
        Invoice,
        Payment,
    )
    from terms_kit.spec import import_spec

    per_expert = invoices // experts
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench{n}", is_staff=True) for n in range(experts)])
    if any(u.pk is None for u in users):
        users = list(user_model.objects.filter(username__startswith="bench").order_by("pk"))
    template = scenario_spec("S2")
    engagements = []
    for user in users:
        engagement = import_spec(template, user)
        engagements.append(engagement)
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(status="overdue")
    instalments = []
    for engagement in engagements:
        for position in range(per_expert):
            late = position % 61
            instalments.append(Instalment(
                engagement=engagement, position=position + 1, kind="milestone",
                label=f"Step {position + 1}", amount=Decimal("480.00"),
                due_trigger="milestone_done", due_date=today - datetime.timedelta(days=late),
                state="overdue" if late else "due"))
    Instalment.objects.bulk_create(instalments, batch_size=2000)
    instalments = list(Instalment.objects.select_related("engagement").order_by("pk"))
    rows, sequence = [], {}
    for instalment in instalments:
        engagement = instalment.engagement
        seq = sequence[engagement.owner_id] = sequence.get(engagement.owner_id, 0) + 1
        rows.append(Invoice(
            owner_id=engagement.owner_id, engagement=engagement, kind="milestone",
            series="invoice", number=f"F-{today.year}-{seq:05d}", year=today.year,
            sequence=seq, issue_date=instalment.due_date - datetime.timedelta(days=30),
            due_date=instalment.due_date, language="fr", instalment=instalment,
            excl_vat=Decimal("400.00"), vat=Decimal("80.00"), incl_vat=Decimal("480.00"),
            net=Decimal("480.00"), snapshot={}, snapshot_sha256="0" * 64))
    Invoice.objects.bulk_create(rows, batch_size=2000)
    invoices_made = list(Invoice.objects.select_related("instalment").order_by("pk"))
    payments = [Payment(owner_id=i.owner_id, engagement_id=i.engagement_id,
                        amount=Decimal("100.00"), paid_on=i.due_date, method="transfer")
                for i in invoices_made[::10]]
    Payment.objects.bulk_create(payments, batch_size=2000)
    payments = list(Payment.objects.order_by("pk"))
    Allocation.objects.bulk_create(
        [Allocation(payment=p, instalment_id=i.instalment_id, amount=p.amount)
         for p, i in zip(payments, invoices_made[::10], strict=True)], batch_size=2000)
    DunningPause.objects.bulk_create(
        [DunningPause(owner_id=i.owner_id, invoice=i, reason="bench", source="promise",
                      starts_on=today, until=today + datetime.timedelta(days=10))
         for i in invoices_made[5::20]], batch_size=2000)
    DunningLadder.objects.bulk_create(
        [DunningLadder(owner=u, reminder_1_days=5, reminder_2_mode="approval",
                       created_at=timezone.now(), updated_at=timezone.now())
         for u in users[::10]])
    return len(invoices_made)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    from django.utils import timezone

    from terms_kit.dunning.run import run

    _database()
    today = timezone.localdate()
    started = time.perf_counter()
    made = _populate(args.experts, args.invoices, today)
    print(f"{connection.vendor}: {made} open invoices of {args.experts} experts made in "
          f"{time.perf_counter() - started:.1f} s")
    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label in ("first run", "second run (same day)"):
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            report = run(on=today, batch_size=args.batch, execute=False)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{label}: {seconds:.2f} s ({cpu:.2f} s CPU of this process), {len(queries)} "
              f"queries, {report.batches} batches of {args.batch}, {report.examined} examined, "
              f"{len(report.decisions)} steps decided ({len(report.ready)} ready, "
              f"{len(report.awaiting_approval)} waiting for approval), {report.paused} paused")


if __name__ == "__main__":
    main()
