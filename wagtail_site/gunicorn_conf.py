"""gunicorn settings of the production-like run (scripts/serve) and of a real node.

Sync workers: the pages are CPU-bound Django renders of a few ms with PostgreSQL and Redis on
fast links, so a process per request in flight is what the cores can use; the figures behind
the default (2 per core + 1) are in docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("TERMS_KIT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Load Django once, then fork: less memory per worker and a broken settings file stops the
# master at once instead of every worker in turn.
preload_app = True
# A request stuck longer than this (a database gone away) frees its worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never builds up (jitter: not all at once).
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# gunicorn's control socket (gunicornc) defaults to one path per user: two instances on one
# machine (bench/scale.py, other sites) would fight over it. Nothing here uses it.
control_socket_disable = True
# The TLS proxy is the only client; it sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
