"""Scale-out simulation: two web instances and two task workers on one PostgreSQL, Redis and S3,
taking client acceptances over HTTP and documents through the task queue at the same time.

    .venv/bin/python bench/scale.py [--acceptances 200] [--documents 1000] [--experts 4]
                                    [--concurrency 10] [--web-workers 2] [--keep-database]

1. Starts moto's S3 server, then two `scripts/serve` runs on two ports of 127.0.0.1 sharing
   one PostgreSQL database (`terms_kit_bench_scale`, made anew), one Redis and one bucket:
   each run has its own gunicorn and one `db_worker` (2 web instances, 2 task workers, each
   worker with its warm LibreOffice).
2. Set-up (not measured): ``--experts`` experts; ``--acceptances`` engagements (scenario S2,
   a client e-mail each, round-robin over the experts) sent through the real services (the
   quote and CGV the link shows are issued then); drafts for the documents.
3. The load, all at once:
   - documents through the queue: every draft's "Generate documents" (a DocumentRequest, one
     `generate_documents` task making the quote, CGV, deposit invoice and final invoice
     previews), and one issued deposit invoice (Factur-X, `make_invoice_document` task) for
     each accepted engagement, recorded by its expert (bank transfer) right after the client
     signs. ``--documents`` counts both: the invoices, then 4 previews a draft for the rest.
   - acceptances over HTTP: every client, alternately through one instance or the other
     (``--concurrency`` threads): review page, e-mail code (read from the file-based e-mail
     backend), code, signature (the web node issues the certificate and signed quote and
     seals the pack).
4. Prints the figures: acceptances per second and a client flow's p50/p95; documents per
   second through the workers and a task's p95; how the tasks split over the two workers and
   how long both ran at once; CPU seconds of the web and worker processes; the load average
   (sampled every 2 s) and the PostgreSQL database's size.
5. Checks and prints each one, PASS or FAIL (exit status 1 if any fails): one acceptance
   record and one sealed pack per accepted engagement; quote and invoice numbers gapless per
   expert; every task run once by one worker and succeeded; every document request done with
   its documents made once; every invoice with exactly one document; every file stored with
   the SHA-256 on record, no object name with two contents, no document recorded twice;
   `termskit verify` clean.

The faults of issue 16 (a worker killed mid-conversion, a converter timeout, the database or
the storage going away) are not injected here: they are tests of their own, and a step can be
added as a function main() calls after the load, reusing start_stack, the set-up helpers and
the check_* functions (each prints its line and returns a bool).
"""

import argparse
import concurrent.futures
import json
import logging
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from client_page import (  # noqa: E402
    bench_env,
    drop_database,
    setup_django,
    start_server,
    stop_server,
)

from scripts.local_services import free_port, start_moto  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PREVIEW_KINDS = ("quote", "terms", "deposit_invoice", "final_invoice")  # S2 on a draft
DOCUMENT_TASKS = ("terms_kit.tasks.generate_documents", "terms_kit.tasks.make_invoice_document")


def load():
    return Path("/proc/loadavg").read_text().split()[0:3]


class Browser:
    """A client's browser: its cookies (sent over plain HTTP although marked Secure: the
    bench has no TLS proxy) and the CSRF token of the last form."""

    def __init__(self, base):
        self.base, self.cookies, self.csrf = base, {}, ""

    def request(self, path, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=300)
            status, content, head = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, content, head = exc.code, exc.read(), exc.headers
        for value in head.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        found = CSRF_INPUT.search(content.decode("utf-8", "replace"))
        if found:
            self.csrf = found.group(1)
        return status, content


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def code_for(mail_dir, address, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(Path(mail_dir).glob("*.log")):
            text = path.read_text(errors="replace")
            for message in text.split("-" * 79):
                subject = re.search(r"^Subject: (.*)$", message, re.M)
                # The code e-mail's subject says "code" in French and English alike.
                if f"To: {address}" in message and subject and "code" in subject.group(1):
                    found = re.search(r"\b(\d{6})\b", message.split("\n\n", 1)[-1])
                    if found:
                        return found.group(1)
        time.sleep(0.3)
    raise RuntimeError(f"no code e-mail for {address}")


def accept(base, token, address, mail_dir):
    browser = Browser(base)
    started = time.perf_counter()
    page = f"/terms/c/{token}/"
    assert browser.request(page)[0] == 200
    assert browser.request(page + "code/", {})[0] == 302
    assert browser.request(page + "verify-code/", {"code": code_for(mail_dir, address)})[0] == 302
    assert browser.request(page)[0] == 200
    status, _ = browser.request(page + "accept/", {
        "consent_terms": "on", "consent_deposit": "on", "full_name": "Julien Petit",
        "signer_role": "Directrice générale"})
    return status, time.perf_counter() - started


# --- The stack ---------------------------------------------------------------------------

@dataclass
class Stack:
    workdir: Path
    mail_dir: Path
    moto: object = None
    servers: list = field(default_factory=list)  # (process, base URL)
    envs: list = field(default_factory=list)

    @property
    def bases(self):
        return [base for _, base in self.servers]


def node_env(args, stack, index, endpoint):
    env = bench_env(args, free_port(), stack.workdir / f"node{index}", endpoint)
    # A signature seals a PDF and writes it to S3: on a busy machine that outlasts
    # gunicorn's default 30 s, and a killed worker would be measured as a failure.
    env.update({"GUNICORN_TIMEOUT": "300",
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "DJANGO_EMAIL_FILE_PATH": str(stack.mail_dir),
                # Every request still counts in Redis; none of the bench's gets a 429.
                "TERMS_KIT_RATE_LIMITS": json.dumps({"client": [100000, 600],
                                                     "code": [100000, 600],
                                                     "accept": [100000, 600]})})
    return env


def start_stack(args):
    workdir = Path(tempfile.mkdtemp(prefix="terms-kit-scale-"))
    stack = Stack(workdir=workdir, mail_dir=workdir / "mail")
    stack.mail_dir.mkdir()
    stack.moto, endpoint = start_moto(log=open(workdir / "moto.log", "w"))
    stack.envs = [node_env(args, stack, index, endpoint) for index in range(2)]
    # One after the other: the first migrates, the second finds the schema ready.
    for index, env in enumerate(stack.envs):
        log = open(workdir / f"node{index}.log", "w")
        stack.servers.append(start_server(env, args.web_workers, log))
    print(f"2 instances ready: {stack.bases}; logs in {workdir}", flush=True)
    setup_django(stack.envs[0])
    return stack


def stop_stack(stack):
    for process, _ in stack.servers:
        stop_server(process)
    if stack.moto is not None:
        stack.moto.terminate()


# --- Set-up: experts, sent engagements, drafts ----------------------------------------------

def make_experts(count):
    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    return [get_user_model().objects.create_user(
        username=f"scale-{index}-" + get_random_string(6), password=get_random_string(20),
        is_staff=True) for index in range(count)]


def s2_spec(address):
    spec = json.loads((ROOT / "wagtail_site/home/demo_data/s2_consulting_milestones.json")
                      .read_text())
    spec["client"]["email"] = address
    return spec


def import_ready(spec, owner):
    """A draft with its warnings acknowledged, as the expert leaves the wizard."""
    from terms_kit.compliance import check_engagement
    from terms_kit.services.drafts import acknowledge_warnings
    from terms_kit.spec import import_spec

    engagement = import_spec(spec, owner)
    warnings = [f for f in check_engagement(engagement) if f.severity == "warning"]
    acknowledge_warnings(engagement, warnings, owner)
    return engagement


def send_engagements(experts, count):
    """``count`` S2 engagements sent to their clients: (pk, token, address) each."""
    from terms_kit.services.acceptance import send_to_client

    sent = []
    for index in range(count):
        owner = experts[index % len(experts)]
        address = f"client-{owner.pk}-{index}@scale.invalid"
        engagement = import_ready(s2_spec(address), owner)
        sent.append((engagement.pk, send_to_client(engagement, owner).token, address))
    return sent


def make_drafts(experts, count):
    drafts = []
    for index in range(count):
        owner = experts[index % len(experts)]
        spec = s2_spec(f"draft-{owner.pk}-{index}@scale.invalid")
        spec["client"]["name"] = f"{spec['client']['name']} {index}"  # each quote its own
        drafts.append(import_ready(spec, owner))
    return drafts


# --- The load: documents through the queue, acceptances over HTTP ---------------------------

def request_previews(drafts):
    """The expert's "Generate documents" on each draft: one queued request each."""
    from terms_kit.services.documents import request_documents

    return [request_documents(draft, PREVIEW_KINDS, draft.language, user=draft.owner).pk
            for draft in drafts]


def record_deposit(engagement_id):
    """The expert records the deposit received by transfer: an invoice is issued, numbered,
    and its document queued (make_invoice_document)."""
    from django.utils import timezone

    from terms_kit.models import Engagement
    from terms_kit.services.payments import deposit_amount, record_payment

    engagement = Engagement.objects.get(pk=engagement_id)
    return record_payment(engagement, amount=deposit_amount(engagement),
                          paid_on=timezone.localdate(), method="transfer",
                          reference=f"scale-{engagement_id}", user=engagement.owner)


def run_acceptances(stack, sent, concurrency, deposits, results):
    """Every client accepts, alternately through each instance; ``deposits`` of them (the
    first) get their deposit recorded by the expert right after. Returns (results, seconds):
    results are (status, seconds of the client flow, deposit error or None)."""
    from django.db import connection

    lock = threading.Lock()

    def one(item):
        index, (pk, token, address) = item
        started = time.perf_counter()
        error = None
        try:
            status, seconds = accept(stack.bases[index % 2], token, address, stack.mail_dir)
        except Exception as exc:  # noqa: BLE001 - counted and checked below, not hidden
            status, seconds = type(exc).__name__, time.perf_counter() - started
        if status == 302 and index < deposits:
            try:
                record_deposit(pk)
            except Exception as exc:  # noqa: BLE001 - reported as a failed check
                error = f"{type(exc).__name__}: {exc}"
        connection.close()
        with lock:
            results.append((status, seconds, error))

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, enumerate(sent)))
    return results, time.perf_counter() - started


def wait_for_queue(seconds):
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).exists():
            return True
        time.sleep(1)
    return False


# --- Measuring: load average, CPU of the nodes' processes -----------------------------------

class LoadSampler(threading.Thread):
    """/proc/loadavg's 1-minute figure every ``every`` seconds while the load runs, and a
    progress line every ``report`` seconds (so a run stopped early still says something)."""

    def __init__(self, progress, every=2.0, report=30.0):
        super().__init__(daemon=True)
        self.progress, self.every, self.report = progress, every, report
        self.samples, self.done = [], threading.Event()

    def run(self):
        started = last = time.monotonic()
        while not self.done.is_set():
            self.samples.append(float(load()[0]))
            if time.monotonic() - last >= self.report:
                last = time.monotonic()
                print(f"  ... {last - started:.0f} s: {self.progress()}; load {load()[0]}",
                      flush=True)
            self.done.wait(self.every)

    def stop(self):
        self.done.set()
        self.join()
        return self.samples


def progress(results):
    """What is done so far (a line of the sampler's progress)."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    try:
        done = DBTaskResult.objects.filter(task_path__in=DOCUMENT_TASKS,
                                           status="SUCCESSFUL").count()
        waiting = (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).count()
    finally:
        connection.close()  # the sampler's thread keeps no connection open
    return f"{len(results)} acceptances done, {done} document tasks done, {waiting} waiting"


def _processes():
    """pid -> (parent pid, command line, CPU seconds incl. reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        cpu = sum(int(value) for value in fields[11:15]) / tick
        found[int(entry.name)] = (int(fields[1]), command, cpu)
    return found


def node_cpu(stack):
    """CPU seconds so far of the web processes (gunicorn) and of the task workers
    (db_worker and their LibreOffice), over both nodes."""
    found = _processes()
    children = {}
    for pid, (parent, _, _) in found.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid):
        total, todo = 0.0, [pid]
        while todo:
            current = todo.pop()
            total += found[current][2] if current in found else 0
            todo += children.get(current, [])
        return total

    totals = {"web": 0.0, "workers": 0.0}
    for process, _ in stack.servers:
        for pid in children.get(process.pid, []):
            command = found[pid][1]
            if "gunicorn" in command:
                totals["web"] += tree(pid)
            elif "db_worker" in command:
                totals["workers"] += tree(pid)
    return totals


def database_size():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def p95(values):
    values = sorted(values)
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


# --- Figures -------------------------------------------------------------------------------

def report_acceptances(results, elapsed):
    times = [seconds for status, seconds, _ in results if status == 302] or [0.0]
    print(f"acceptances: {len(results)} over HTTP in {elapsed:.1f} s = "
          f"{len(results) / elapsed:.2f}/s; a whole client flow (5 requests, signature and "
          f"sealing included) p50 {statistics.median(times):.2f} s, p95 {p95(times):.2f} s; "
          f"statuses {sorted({str(status) for status, _, _ in results})}", flush=True)


def report_documents():
    """Documents per second through the workers, from the task rows the workers wrote."""
    from django_tasks_db.models import DBTaskResult

    from terms_kit.models import DocumentRequest, Invoice

    tasks = list(DBTaskResult.objects.filter(task_path__in=DOCUMENT_TASKS)
                 .exclude(finished_at=None).order_by("started_at"))
    if not tasks:
        print("documents: no document task ran")
        return 0
    documents = (sum(len(kinds) for kinds in DocumentRequest.objects.filter(
        state=DocumentRequest.State.DONE).values_list("kinds", flat=True))
        + Invoice.objects.exclude(issued_document=None).count())
    window = (max(t.finished_at for t in tasks) - tasks[0].started_at).total_seconds()
    waits = [(t.finished_at - t.enqueued_at).total_seconds() for t in tasks]
    by_worker = {}
    for t in tasks:
        by_worker.setdefault(t.worker_ids[-1] if t.worker_ids else "?", []).append(t)
    print(f"documents: {documents} made by {len(tasks)} tasks in {window:.1f} s = "
          f"{documents / window:.2f} documents/s through the 2 workers; enqueued to done p95 "
          f"{p95(waits):.1f} s", flush=True)
    for path in DOCUMENT_TASKS:
        runs = [(t.finished_at - t.started_at).total_seconds() for t in tasks
                if t.task_path == path]
        if runs:
            print(f"  {path.rsplit('.', 1)[-1]}: {len(runs)} tasks, one runs p50 "
                  f"{statistics.median(runs):.2f} s, p95 {p95(runs):.2f} s", flush=True)
    print(f"workers: tasks per worker {sorted(len(v) for v in by_worker.values())}; both "
          f"running a task at once {overlap(by_worker):.1f} s of {window:.1f} s", flush=True)
    return documents


def overlap(by_worker):
    """Seconds during which at least two workers ran a task (really concurrent)."""
    events = []
    for tasks in by_worker.values():
        for t in tasks:
            events += [(t.started_at, 1), (t.finished_at, -1)]
    events.sort(key=lambda e: (e[0], e[1]))
    running, since, total = 0, None, 0.0
    for moment, step in events:
        if running >= 2 and since is not None:
            total += (moment - since).total_seconds()
        running += step
        since = moment
    return total


# --- Checks: each prints PASS or FAIL with what it counted ----------------------------------

def outcome(name, ok, detail):
    print(f"CHECK {'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
    return ok


def check_acceptances(accepted_ids):
    from django.db.models import Count

    from terms_kit.models import ConsentRecord, SealedFile

    records = dict(ConsentRecord.objects.filter(engagement_id__in=accepted_ids,
                                                kind="acceptance")
                   .values_list("engagement_id").annotate(n=Count("pk")))
    packs = dict(SealedFile.objects.filter(engagement_id__in=accepted_ids)
                 .values_list("engagement_id").annotate(n=Count("pk")))
    good = sum(1 for pk in accepted_ids if records.get(pk) == 1 and packs.get(pk) == 1)
    return outcome("one acceptance record and one sealed pack per accepted engagement",
                   good == len(accepted_ids),
                   f"{good}/{len(accepted_ids)} (records {sum(records.values())}, packs "
                   f"{sum(packs.values())})")


def check_all_accepted(results):
    ok = sum(1 for status, _, _ in results if status == 302)
    return outcome("every client's signature answered (302)", ok == len(results),
                   f"{ok}/{len(results)}")


def _gapless(rows):
    """{owner: sorted sequences} for (owner, year, sequence) rows -> owners with a gap."""
    series = {}
    for owner, year, sequence in rows:
        series.setdefault((owner, year), []).append(sequence)
    return {key: sorted(values) for key, values in series.items()
            if sorted(values) != list(range(1, len(values) + 1))}, series


def check_quote_numbers(experts):
    from terms_kit.models import Engagement

    gaps, series = _gapless(Engagement.objects.filter(owner__in=experts)
                            .exclude(number_sequence=None)
                            .values_list("owner_id", "number_year", "number_sequence"))
    count = sum(map(len, series.values()))
    return outcome("quote numbers gapless per expert", not gaps,
                   f"{count} numbers in {len(series)} (expert, year) sequences"
                   + (f"; gaps {gaps}" if gaps else ""))


def check_invoice_numbers(experts, deposit_errors):
    from terms_kit.models import Invoice

    gaps, series = {}, {}
    for name in Invoice.objects.values_list("series", flat=True).distinct():
        found, numbers = _gapless(Invoice.objects.filter(owner__in=experts, series=name)
                                  .values_list("owner_id", "year", "sequence"))
        gaps.update({(name, *key): value for key, value in found.items()})
        series.update({(name, *key): value for key, value in numbers.items()})
    issued = sum(map(len, series.values()))
    ok = outcome("invoice numbers gapless per expert and series", not gaps,
                 f"{issued} invoices in {len(series)} (series, expert, year) sequences"
                 + (f"; gaps {gaps}" if gaps else ""))
    return outcome("every deposit recorded after an acceptance", not deposit_errors,
                   f"{len(deposit_errors)} refused" + (f": {deposit_errors[:3]}"
                                                       if deposit_errors else "")) and ok


def check_tasks():
    """The queue: every task succeeded, claimed once, by one worker; both workers worked."""
    from django_tasks_db.models import DBTaskResult

    tasks = list(DBTaskResult.objects.all())
    failed = [t for t in tasks if t.status != "SUCCESSFUL"]
    twice = [t for t in tasks if len(t.worker_ids) != 1]
    workers = {worker for t in tasks for worker in t.worker_ids}
    detail = (f"{len(tasks)} tasks, {len(failed)} not successful "
              f"{sorted({(t.task_path.rsplit('.', 1)[-1], t.status) for t in failed})}, "
              f"{len(twice)} claimed more than once, {len(workers)} workers")
    return outcome("every task run once by one worker and succeeded; 2 workers took tasks",
                   not failed and not twice and len(workers) == 2, detail)


def check_document_requests(request_ids):
    from django.db.models import Count

    from terms_kit.models import DocumentRequest

    requests = DocumentRequest.objects.filter(pk__in=request_ids).annotate(
        made=Count("documents"))
    wrong = [(r.pk, r.state, r.made) for r in requests
             if r.state != DocumentRequest.State.DONE or r.made != len(r.kinds)]
    return outcome("every document request done with each of its documents once", not wrong,
                   f"{len(request_ids) - len(wrong)}/{len(request_ids)}"
                   + (f"; wrong {wrong[:5]}" if wrong else ""))


def check_invoice_documents(experts):
    from terms_kit.models import Invoice, IssuedDocument

    invoices = Invoice.objects.filter(owner__in=experts)
    missing = invoices.filter(issued_document=None).count()
    # One-to-one by construction: counted anyway, it is what the bench is for.
    records = IssuedDocument.objects.filter(invoice__in=invoices).count()
    return outcome("every issued invoice has exactly one document",
                   not missing and records == invoices.count(),
                   f"{invoices.count()} invoices, {records} documents, {missing} missing")


def check_stored_files(experts):
    """Every file on record is in the bucket with its recorded SHA-256; files are named by
    their SHA-256 (services/documents.py), so a name must never carry two contents; no
    engagement has the same document (kind, language, inputs) recorded twice."""
    from django.db.models import Count

    from terms_kit.acceptance.evidence import file_sha256
    from terms_kit.models import IssuedDocument, SealedFile

    documents = IssuedDocument.objects.filter(owner__in=experts)
    digests, bad, files = {}, [], 0
    fields = [(d.pdf, d.pdf_sha256) for d in documents] + [
        (d.docx, d.docx_sha256) for d in documents] + [
        (s.pdf, s.pdf_sha256) for s in SealedFile.objects.filter(engagement__owner__in=experts)]
    checked = {}
    for stored, digest in fields:
        if not stored:
            continue
        files += 1
        digests.setdefault(stored.name, set()).add(digest)
        if (stored.name, digest) not in checked:
            try:
                checked[stored.name, digest] = file_sha256(stored) == digest
            except OSError:
                checked[stored.name, digest] = False
        if not checked[stored.name, digest]:
            bad.append(stored.name)
    clashes = [name for name, found in digests.items() if len(found) > 1]
    doubled = list(documents.values("engagement_id", "kind", "language", "cache_key",
                                    "invoice_id").annotate(n=Count("pk")).filter(n__gt=1))
    return outcome(
        "every file stored with the SHA-256 on record, one content per name, no document "
        "recorded twice", not bad and not clashes and not doubled,
        f"{files} files on record in {len(digests)} objects, {len(bad)} missing or altered, "
        f"{len(clashes)} names with two contents, {len(doubled)} documents recorded twice")


def check_shared_inputs(experts):
    """Identical inputs (an expert's CGV shared by all their engagements) made into one file:
    two workers missing the cache at once would each convert and store a copy."""
    from django.db.models import Count

    from terms_kit.models import IssuedDocument

    shared = (IssuedDocument.objects.filter(owner__in=experts).values("owner_id", "cache_key")
              .annotate(records=Count("pk"), files=Count("pdf_sha256", distinct=True))
              .filter(records__gt=1))
    twice = [row for row in shared if row["files"] > 1]
    return outcome("identical inputs made into one file", not twice,
                   f"{len(shared)} documents shared by several records, {len(twice)} made "
                   "more than once")


def check_verify():
    verify = subprocess.run([sys.executable, "manage.py", "termskit", "verify"], cwd=ROOT,
                            env={**os.environ}, capture_output=True, text=True)
    last = verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else ""
    return outcome("termskit verify clean", verify.returncode == 0,
                   f"exit {verify.returncode}: {last} {verify.stderr.strip()[-300:]}")


def run_checks(experts, accepted_ids, request_ids, results, deposit_errors):
    return [
        check_all_accepted(results),
        check_acceptances(accepted_ids),
        check_quote_numbers(experts),
        check_invoice_numbers(experts, deposit_errors),
        check_tasks(),
        check_document_requests(request_ids),
        check_invoice_documents(experts),
        check_stored_files(experts),
        check_shared_inputs(experts),
        check_verify(),
    ]


# --- The run -------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acceptances", type=int, default=200)
    parser.add_argument("--documents", type=int, default=1000,
                        help="documents through the queue: one deposit invoice per "
                             "acceptance, then 4 previews a draft for the rest")
    parser.add_argument("--experts", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=10, help="clients at once")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers each")
    parser.add_argument("--queue-timeout", type=int, default=3600,
                        help="seconds to wait for the queue to drain after the acceptances")
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/terms_kit_bench_scale")
    # moto keeps objects in memory: a database kept from an earlier run points at files that
    # are gone, and `termskit verify` rightly says so. Fresh unless asked.
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def plan(args):
    deposits = min(args.acceptances, args.documents)
    drafts = math.ceil(max(args.documents - deposits, 0) / len(PREVIEW_KINDS))
    return deposits, drafts


def main():
    args = parse_args()
    # The demo scenarios are checked on a date whose official interest figure the fresh
    # database lacks: one warning per engagement set up, noise for this bench.
    logging.getLogger("terms_kit.compliance.checker").setLevel(logging.ERROR)
    deposits, draft_count = plan(args)
    print(f"plan: {args.acceptances} acceptances over HTTP; {deposits} deposit invoices + "
          f"{draft_count} drafts x {len(PREVIEW_KINDS)} previews = "
          f"{deposits + draft_count * len(PREVIEW_KINDS)} documents through the queue; "
          f"{args.experts} experts", flush=True)
    if not args.keep_database:
        drop_database(args.database_url)
    print(f"load average before: {' '.join(load())}", flush=True)
    stack, ok = None, False
    try:
        stack = start_stack(args)
        started = time.perf_counter()
        experts = make_experts(args.experts)
        sent = send_engagements(experts, args.acceptances)
        drafts = make_drafts(experts, draft_count)
        wait_for_queue(600)  # e-mails of the set-up, if any
        print(f"set-up: {len(sent)} engagements sent, {len(drafts)} drafts in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

        live = []  # the acceptances' results as they come
        sampler = LoadSampler(lambda: progress(live))
        cpu_before = node_cpu(stack)
        sampler.start()
        started = time.perf_counter()
        request_ids = request_previews(drafts)
        results, elapsed = run_acceptances(stack, sent, args.concurrency, deposits, live)
        drained = wait_for_queue(args.queue_timeout)
        total = time.perf_counter() - started
        cpu_after, samples = node_cpu(stack), sampler.stop()

        print(f"wall time of the load: {total:.1f} s (queue drained: {drained})")
        report_acceptances(results, elapsed)
        documents = report_documents()
        cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
        print(f"CPU of the nodes during the load: web {cpu['web']:.0f} s "
              f"({cpu['web'] / max(len(results), 1):.2f} s an acceptance), workers with their "
              f"LibreOffice {cpu['workers']:.0f} s ({cpu['workers'] / max(documents, 1):.2f} s "
              f"a document); load average min/mean/max {min(samples):.1f}/"
              f"{statistics.mean(samples):.1f}/{max(samples):.1f} ({len(samples)} samples); "
              f"database {database_size()}", flush=True)

        # Every client signs: each sent engagement must have its one record and pack.
        accepted_ids = [pk for pk, _, _ in sent]
        deposit_errors = [error for _, _, error in results if error]
        ok = all(run_checks(experts, accepted_ids, request_ids, results, deposit_errors))
        print("ALL CHECKS PASSED: nothing lost or doubled" if ok else "SOME CHECKS FAILED")
    finally:
        if stack is not None:
            stop_stack(stack)
        print(f"load average after: {' '.join(load())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
