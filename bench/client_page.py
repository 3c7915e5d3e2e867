"""Client review page, offer and terms pages under load on the production-like server (target:
>= 300 requests/s, p95 <= 100 ms at 20 connections on 2 cores; queries per page constant).

    .venv/bin/python bench/client_page.py [--duration 20] [--connections 20]
                                          [--web-workers 3 5] [--worker-class gthread|sync]
                                          [--threads 4] [--profile PAGE|all] [--fresh-database]

Starts `scripts/serve` (production settings, gunicorn, WhiteNoise, PostgreSQL, Redis, one task
worker, S3 on moto) on free ports of 127.0.0.1 with a database of its own (BENCH_DATABASE_URL
or --database-url), sends scenario S1 to its client through the real services and builds the
demo's public pages with `load_demo_data` (the worker makes the PDFs; the database is kept
between runs, so only the first one migrates and converts), then for each page (client
review with a valid token, each offer page, each terms page and the permanent address of its
current version, the home page, a static file) prints the CPU one request costs in this
process (Django test client, median of 50: the figure to compare on a busy machine), the
queries one request makes (three requests after a first one that fills the caches: they must
be equal), and runs `wrk` (Debian package) at ``--connections`` connections: requests/s,
p50/p95/p99. ``--duration 0`` prints the in-process figures only; ``--profile`` adds a
cProfile of in-process requests and the round trips of one (SQL, Redis, S3, templates
compiled, session saves). The client rate limit is raised for the bench
(TERMS_KIT_RATE_LIMITS), so every request still counts in Redis but none gets a 429.
The machine's load (`uptime`) is printed before and after: figures on a busy machine are low.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_services import (  # noqa: E402
    MOTO_CREDENTIALS,
    create_bucket,
    free_port,
    start_moto,
)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def bench_env(args, port, workdir, s3_endpoint):
    """One environment for the server and this process, so both see the same site."""
    subprocess.run(["bash", "-c", "source scripts/lib.sh && ensure_demo_seal"], cwd=ROOT,
                   check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.dev"})
    create_bucket(s3_endpoint, "terms-kit-bench")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TERMS_KIT_", "DJANGO_"))},
        **MOTO_CREDENTIALS,
        "DATABASE_URL": args.database_url,
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "TERMS_KIT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TERMS_KIT_SEAL_CERTIFICATE": str(ROOT / "var/seal/seal-cert.pem"),
        "TERMS_KIT_SEAL_KEY": str(ROOT / "var/seal/seal-key.pem"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "TERMS_KIT_S3_BUCKET": "terms-kit-bench",
        "TERMS_KIT_S3_ENDPOINT_URL": s3_endpoint,
        "TERMS_KIT_S3_REGION": "us-east-1",
        "TERMS_KIT_BIND": f"127.0.0.1:{port}",
        "TERMS_KIT_VAR_DIR": str(workdir / "var"),
        "TERMS_KIT_TASK_WORKERS": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "TERMS_KIT_RATE_LIMITS": json.dumps({"client": [10_000_000, 600]}),
        "REDIS_URL": "redis://127.0.0.1:6379/5",
    }


def drop_database(url):
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def start_server(env, workers, log, worker_class="gthread", threads=4):
    env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_WORKER_CLASS": worker_class,
           "GUNICORN_THREADS": str(threads)}
    process = subprocess.Popen(["bash", "scripts/serve"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = "http://" + env["TERMS_KIT_BIND"]
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scripts/serve stopped (exit {process.returncode}); see {log.name}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            pass
        time.sleep(1)
    stop_server(process)
    raise SystemExit(f"the server was not ready within 15 minutes; see {log.name}")


def stop_server(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def setup_django(env):
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "wagtail_site.settings.production"
    import django

    django.setup()


def send_engagement():
    """Scenario S1 sent to its client by a new expert: the client's link token."""
    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    from terms_kit.compliance import check_engagement
    from terms_kit.services.acceptance import send_to_client
    from terms_kit.services.drafts import acknowledge_warnings
    from terms_kit.spec import import_spec

    owner = get_user_model().objects.create_user(
        username="bench-" + get_random_string(8), password=get_random_string(20), is_staff=True)
    spec = json.loads((ROOT / "wagtail_site/home/demo_data/s1_prepaid_call.json").read_text())
    engagement = import_spec(spec, owner)
    warnings = [f for f in check_engagement(engagement) if f.severity == "warning"]
    acknowledge_warnings(engagement, warnings, owner)
    return send_to_client(engagement, owner).token


def wait_for_documents(seconds=600):
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = DBTaskResult.objects.ready() | DBTaskResult.objects.running()
        if not waiting.exists():
            return
        time.sleep(1)
    print("warning: tasks still waiting after 10 minutes; the page is measured anyway")


def demo_pages():
    """The demo's public pages, built by load_demo_data (idempotent: kept between runs): each
    offer page, each terms page and the permanent address of its current version."""
    from django.core.management import call_command

    from terms_kit.models import OfferPage, TermsPage

    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    pages = {}
    for offer in OfferPage.objects.live().order_by("path"):
        pages[f"offer {offer.slug}"] = offer.url
    for terms in TermsPage.objects.live().order_by("path"):
        pages[f"terms {terms.slug}"] = terms.url
        current = terms.series().current
        pages[f"terms {terms.slug} v{current.version}"] = terms.version_url(current)
    return pages


def cpu_per_request(path, times=50):
    """Median CPU milliseconds of this process for one request through Django's test client:
    the rendering cost, much less sensitive than wall time to other work on the machine."""
    from django.test import Client

    client, costs = Client(), []
    for _ in range(times):
        started = time.process_time()
        client.get(path)
        costs.append((time.process_time() - started) * 1000)
    costs.sort()
    return costs[len(costs) // 2]


class RoundTrips:
    """Counts what one request sends out of the process: SQL queries, Redis commands, S3
    calls, templates compiled and session saves (the profile's "where does the time go")."""

    def __init__(self):
        self.counts = {"sql": 0, "redis round trips": 0, "s3": 0, "templates compiled": 0,
                       "session saves": 0}

    def __enter__(self):
        import botocore.endpoint
        import redis.client
        from django.contrib.sessions.backends.base import SessionBase
        from django.db import connection
        from django.template.base import Template

        self._patches = []
        for owner, name, counter in (
                # A pipeline is one round trip for all its commands (the rate limit's).
                (redis.client.Redis, "execute_command", "redis round trips"),
                (redis.client.Pipeline, "execute", "redis round trips"),
                (botocore.endpoint.Endpoint, "make_request", "s3"),
                (Template, "compile_nodelist", "templates compiled")):
            self._patch(owner, name, counter)
        for cls in SessionBase.__subclasses__() + [SessionBase]:
            for sub in [cls, *cls.__subclasses__()]:
                if "save" in vars(sub):
                    self._patch(sub, "save", "session saves")
        self._sql = connection.execute_wrapper(self._count_sql)
        self._sql.__enter__()
        return self

    def _patch(self, owner, name, counter):
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            self.counts[counter] += 1
            return original(*args, **kwargs)

        setattr(owner, name, counted)
        self._patches.append((owner, name, original))

    def _count_sql(self, execute, sql, params, many, context):
        self.counts["sql"] += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._sql.__exit__(*exc)
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)


def profile_page(name, path, times=50, top=25):
    """cProfile of ``times`` in-process requests after a warm-up, and the round trips of one."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    client.get(path)
    with RoundTrips() as trips:
        client.get(path)
    print(f"--- profile: {name} ({path}); one request sends: "
          + ", ".join(f"{k} {v}" for k, v in trips.counts.items()))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def queries_per_request(path, times=3):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = []
    client = Client()
    client.get(path)  # the first view of a page fills the caches; the counted ones are after
    for _ in range(times):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    return counts


def run_wrk(url, args, script):
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.duration}s",
         "--timeout", "5s", "-s", script, url],
        capture_output=True, text=True, check=True,
    )
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", result.stdout, re.M)
    requests, errors, micros, p50, p95, p99 = match.groups()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return {"rps": int(requests) / (int(micros) / 1e6), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "errors": int(errors) + (int(non2xx.group(1)) if non2xx else 0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20,
                        help="seconds of wrk a page (0: only the in-process figures)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--web-workers", type=int, nargs="+", default=[5])
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL") or
                        "postgres://postgres@127.0.0.1:5432/terms_kit_bench_page")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"],
                        help="gunicorn worker class (wagtail_site/gunicorn_conf.py: gthread)")
    parser.add_argument("--threads", type=int, default=4, help="threads a gthread worker")
    parser.add_argument("--profile", metavar="PAGE",
                        help="also print a cProfile of in-process requests and the round trips "
                             "(SQL, Redis, S3, templates compiled, session saves) of one, for "
                             "the pages whose name contains PAGE ('all': every page)")
    parser.add_argument("--fresh-database", action="store_true",
                        help="drop the bench database first (else it is kept: no migrations)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/lib.sh installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="terms-kit-bench-"))
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    port = free_port()
    moto, s3_endpoint = start_moto(log=open(workdir / "moto.log", "w"))
    env = bench_env(args, port, workdir, s3_endpoint)
    if args.fresh_database:
        drop_database(args.database_url)
    print(f"load before: {load()}")
    print(f"gunicorn: {args.worker_class} workers"
          + (f", {args.threads} threads each" if args.worker_class == "gthread" else ""))
    log = open(workdir / "serve.log", "w")
    rows = []
    setup_done = False
    for workers in args.web_workers:
        process, base = start_server(env, workers, log, args.worker_class, args.threads)
        try:
            if not setup_done:
                setup_django(env)
                token = send_engagement()
                wait_for_documents()
                pages = {"client review (valid token)": f"/terms/c/{token}/",
                         **demo_pages(), "home page": "/"}
                queries = {name: queries_per_request(path) for name, path in pages.items()}
                for name, path in pages.items():
                    print(f"{name}: {cpu_per_request(path):.1f} ms CPU a request "
                          "in-process (Django test client, median of 50)", flush=True)
                if args.profile:
                    for name, path in pages.items():
                        if args.profile == "all" or args.profile in name:
                            profile_page(name, path)
                from django.templatetags.static import static

                pages["static CSS (WhiteNoise)"] = static("terms_kit/client.css")
                setup_done = True
            for name, path in pages.items() if args.duration else ():
                run_wrk(base + path, argparse.Namespace(connections=args.connections,
                                                        duration=3), script)  # warm-up
                figures = run_wrk(base + path, args, script)
                rows.append((workers, name, figures, queries.get(name)))
                print(f"{workers} {args.worker_class} workers  {name:28} "
                      f"{figures['rps']:7.0f} req/s  "
                      f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
                      f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}  "
                      f"queries/request {queries.get(name) or '-'}", flush=True)
        finally:
            stop_server(process)
    moto.terminate()
    print(f"load after: {load()}")
    print(f"targets on 2 cores: >= 300 req/s and p95 <= 100 ms on the client page at "
          f"{args.connections} connections; queries per request equal on each line")


if __name__ == "__main__":
    main()
