"""Scale-out simulation: two web instances and two task workers on one PostgreSQL, Redis and S3.

    .venv/bin/python bench/scale.py [--acceptances 20] [--concurrency 10] [--keep-database]

What it covers today (issue 16 asks for more, see the end of this docstring):

1. Starts moto's S3 server, then two `scripts/serve` runs on two ports of 127.0.0.1 sharing
   one PostgreSQL database (`terms_kit_bench_scale`), one Redis and one bucket: each run has
   its own gunicorn and one `db_worker` (so 2 web instances and 2 task workers).
2. Sends ``--acceptances`` engagements (scenario S2, one expert, one client e-mail each)
   through the real services; the two workers make their documents from the queue.
3. Every client accepts over HTTP, alternately through one instance or the other, all at
   once (``--concurrency`` threads): review page, e-mail code (read from the file-based
   e-mail backend), code, signature.
4. Prints throughput and p95 of the acceptances, then checks and prints: each engagement has
   exactly one acceptance record and one sealed pack; quote numbers gapless; every issued
   document is stored once in the bucket with the SHA-256 on record; `termskit verify` clean.

Not covered yet: the 1 000 queued documents, the faults (a worker killed mid-conversion, a
converter timeout, the database or the storage going away during an acceptance).
"""

import argparse
import concurrent.futures
import json
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
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from client_page import (  # noqa: E402
    bench_env,
    drop_database,
    load,
    setup_django,
    start_server,
    stop_server,
    wait_for_documents,
)

from scripts.local_services import free_port, start_moto  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
            response = opener.open(request, timeout=120)
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


def code_for(mail_dir, address, seconds=120):
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


def send_engagements(count):
    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    from terms_kit.compliance import check_engagement
    from terms_kit.services.acceptance import send_to_client
    from terms_kit.services.drafts import acknowledge_warnings
    from terms_kit.spec import import_spec

    owner = get_user_model().objects.create_user(
        username="scale-" + get_random_string(8), password=get_random_string(20), is_staff=True)
    base = json.loads((ROOT / "wagtail_site/home/demo_data/s2_consulting_milestones.json")
                      .read_text())
    sent = []
    for index in range(count):
        spec = json.loads(json.dumps(base))
        address = f"client-{owner.pk}-{index}@scale.invalid"
        spec["client"]["email"] = address
        engagement = import_spec(spec, owner)
        warnings = [f for f in check_engagement(engagement) if f.severity == "warning"]
        acknowledge_warnings(engagement, warnings, owner)
        sent.append((engagement.pk, send_to_client(engagement, owner).token, address))
    return owner, sent


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


def check(owner, sent):
    from django.db.models import Count

    from terms_kit.acceptance.evidence import file_sha256
    from terms_kit.models import ConsentRecord, Engagement, IssuedDocument, SealedFile

    ids = [pk for pk, _, _ in sent]
    problems = []
    records = dict(ConsentRecord.objects.filter(engagement_id__in=ids, kind="acceptance")
                   .values_list("engagement_id").annotate(n=Count("pk")))
    packs = dict(SealedFile.objects.filter(engagement_id__in=ids)
                 .values_list("engagement_id").annotate(n=Count("pk")))
    for pk in ids:
        if records.get(pk) != 1:
            problems.append(f"engagement {pk}: {records.get(pk, 0)} acceptance records")
        if packs.get(pk, 0) < 1:
            problems.append(f"engagement {pk}: no sealed pack")
    print(f"check: one acceptance record each: {sum(1 for pk in ids if records.get(pk) == 1)}"
          f"/{len(ids)}; sealed packs: {sum(packs.values())}")
    numbers = sorted(Engagement.objects.filter(owner=owner)
                     .values_list("number_sequence", flat=True))
    gapless = numbers == list(range(1, len(numbers) + 1))
    print(f"check: quote numbers 1..{len(numbers)} gapless: {gapless}")
    if not gapless:
        problems.append(f"quote numbers not gapless: {numbers}")
    # Files are named by their SHA-256 (services/documents.py): identical bytes (the same
    # terms for every client) are one object; a name must never carry two contents.
    documents = IssuedDocument.objects.filter(engagement_id__in=ids)
    digests, bad, records = {}, 0, 0
    for document in documents:
        for field, digest in ((document.pdf, document.pdf_sha256),
                              (document.docx, document.docx_sha256)):
            if field:
                records += 1
                digests.setdefault(field.name, set()).add(digest)
                bad += file_sha256(field) != digest
    clashes = sum(len(found) > 1 for found in digests.values())
    print(f"check: {records} document files on record, {len(digests)} objects (one per "
          f"content), {clashes} names with two contents, {bad} with another SHA-256 than "
          "recorded")
    if bad or clashes:
        problems.append("stored documents doubled or altered")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acceptances", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers each")
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/terms_kit_bench_scale")
    # moto keeps objects in memory: a database kept from an earlier run points at files that
    # are gone, and `termskit verify` rightly says so. Fresh unless asked.
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="terms-kit-scale-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    if not args.keep_database:
        drop_database(args.database_url)
    print(f"load before: {load()}")
    moto, endpoint = start_moto(log=open(workdir / "moto.log", "w"))
    servers = []
    try:
        envs = []
        for index in range(2):
            env = bench_env(args, free_port(), workdir / f"node{index}", endpoint)
            # A signature seals a PDF and writes it to S3: on a busy machine that outlasts
            # gunicorn's default 30 s, and a killed worker would be measured as a failure.
            env.update({"GUNICORN_TIMEOUT": "300",
                        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
                        "TERMS_KIT_RATE_LIMITS": json.dumps({"client": [100000, 600],
                                                             "code": [100000, 600],
                                                             "accept": [100000, 600]})})
            envs.append(env)
        # One after the other: the first migrates, the second finds the schema ready.
        for index, env in enumerate(envs):
            log = open(workdir / f"node{index}.log", "w")
            servers.append(start_server(env, args.web_workers, log))
        print(f"2 instances ready: {[base for _, base in servers]}; logs in {workdir}")
        setup_django(envs[0])
        started = time.perf_counter()
        owner, sent = send_engagements(args.acceptances)
        wait_for_documents()
        print(f"sent {len(sent)} engagements, documents made by the 2 workers in "
              f"{time.perf_counter() - started:.1f} s")
        lock, results = threading.Lock(), []

        def one(item):
            index, (_pk, token, address) = item
            started_one = time.perf_counter()
            try:
                status, seconds = accept(servers[index % 2][1], token, address, mail_dir)
            except Exception as exc:  # noqa: BLE001 - counted and checked below, not hidden
                status, seconds = type(exc).__name__, time.perf_counter() - started_one
            with lock:
                results.append((status, seconds))

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, enumerate(sent)))
        elapsed = time.perf_counter() - started
        times = sorted(seconds for _, seconds in results)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(f"{len(results)} acceptances over HTTP in {elapsed:.1f} s: "
              f"{len(results) / elapsed:.2f}/s; a whole client flow (5 requests) p50 "
              f"{statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
              f"statuses {sorted({str(status) for status, _ in results})}")
        wait_for_documents()
        problems = check(owner, sent)
        verify = subprocess.run([sys.executable, "manage.py", "termskit", "verify"], cwd=ROOT,
                                env={**os.environ}, capture_output=True, text=True)
        print(f"check: termskit verify exit {verify.returncode}: "
              f"{verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else ''}")
        if verify.returncode:
            problems.append("termskit verify: " + verify.stdout[-500:] + verify.stderr[-500:])
        print("nothing lost or doubled" if not problems else "PROBLEMS:\n  " + "\n  ".join(
            problems))
    finally:
        for process, _ in servers:
            stop_server(process)
        moto.terminate()
        print(f"load after: {load()}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
