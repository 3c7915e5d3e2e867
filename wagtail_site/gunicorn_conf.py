"""gunicorn settings of the production-like run (scripts/serve) and of a real node.

Threaded workers (gthread): a sync worker serves one connection at a time and closes it after
each answer, so with more keep-alive clients than workers (browsers, the TLS proxy, wrk's 20
connections) every request reconnects and waits in the listen backlog (a static file that
takes 0.5 ms to send showed a 1.4 s p95 at 1 735 requests/s in bench/client_page.py). A threaded worker keeps connections
alive and overlaps a request waiting on PostgreSQL or Redis with another one; the pages are
CPU-bound renders of a few ms, so a process per core and a half plus a few threads each is
what the cores can use. The figures behind the defaults are in docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("TERMS_KIT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Idle keep-alive connections held open this long (the TLS proxy reuses them).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Load Django once, then fork: less memory per worker and a broken settings file stops the
# master at once instead of every worker in turn.
preload_app = True
# A request stuck longer than this (a database gone away) frees its worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never builds up (jitter: not all at once). At
# several hundred requests a second, 5 000 restarted a worker every half minute, each
# restart losing its warm template and translation caches (and, on a loaded machine, the
# worker for seconds).
max_requests = 50000
max_requests_jitter = 5000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# gunicorn's control socket (gunicornc) defaults to one path per user: two instances on one
# machine (bench/scale.py, other sites) would fight over it. Nothing here uses it.
control_socket_disable = True
# The TLS proxy is the only client; it sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
