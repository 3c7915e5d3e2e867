"""The readiness probes: each touches one service the site needs to serve clients.

A probe returns a dict of figures safe to show (no names, addresses or messages) or raises;
``run_probes`` times them and turns an exception into a failed entry carrying only the
exception's class. Cheap by design: a load balancer calls /readyz every few seconds.
"""

import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from ..conf import app_settings

logger = logging.getLogger(__name__)

# Written once per storage and then only read: a bucket with object lock or without the
# delete permission (evidence kept 10 years) is fine with the probe.
STORAGE_PROBE = "terms_kit/health/probe.txt"
STORAGE_PROBE_CONTENT = b"terms-kit readiness probe\n"


class ProbeFailed(Exception):
    """The service answered, but not well enough; ``details`` are safe to show."""

    def __init__(self, reason, **details):
        super().__init__(reason)
        self.details = details


def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def cache_round_trip():
    key = "terms_kit:readyz:" + get_random_string(12)
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise ProbeFailed("the cache did not return what was just stored")
    cache.delete(key)
    return {}


def storage():
    from ..storage import private_storage

    if not private_storage.exists(STORAGE_PROBE):
        # First probe of this storage (or a wrong bucket/folder: then this write fails).
        private_storage.save(STORAGE_PROBE, ContentFile(STORAGE_PROBE_CONTENT))
    with private_storage.open(STORAGE_PROBE, "rb") as handle:
        if handle.read() != STORAGE_PROBE_CONTENT:
            raise ProbeFailed("the storage's probe file has other content")
    return {}


def converter():
    from ..documents.converters import get_converter

    problems = get_converter().health()
    if problems:
        for problem in problems:
            logger.warning("readyz: converter: %s", problem)
        raise ProbeFailed("the PDF converter cannot work")
    return {}


def task_queue(strict=False):
    """How long the oldest task ready to run has waited (database task backend only).

    Reported, and ``late`` beyond HEALTH_MAX_QUEUE_LAG; a failure only when ``strict``
    (``/readyz?queue=1``). A web node serves clients whatever the queue's lag: failing its
    readiness on a burst of conversions would take every web node out of the load balancer
    at once, the whole site for a queue only the workers can empty.
    """
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        # Other backends (immediate, dummy, a broker) have no queue this site can read.
        return {"backend": type(backend).__name__}
    from django_tasks_db.models import DBTaskResult, get_date_max

    oldest = (DBTaskResult.objects.ready().order_by("enqueued_at")
              .values_list("enqueued_at", "run_after").first())
    lag = timedelta(0)
    if oldest:
        enqueued_at, run_after = oldest
        due = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        lag = max(timezone.now() - due, timedelta(0))
    seconds = round(lag.total_seconds(), 1)
    late = seconds > app_settings.HEALTH_MAX_QUEUE_LAG
    if late and strict:
        raise ProbeFailed("tasks wait too long", lag_seconds=seconds, late=True)
    return {"lag_seconds": seconds, "late": late}


PROBES = {
    "database": database,
    "cache": cache_round_trip,
    "storage": storage,
    "converter": converter,
    "task_queue": task_queue,
}


def strict_queue_probes():
    """The probes with the task queue's lag counted in readiness (``/readyz?queue=1``)."""
    return {**PROBES, "task_queue": lambda: task_queue(strict=True)}


def run_probes(probes=None):
    """``(ready, {name: {"status": "ok"|"failed", "ms": float, ...}})``."""
    results = {}
    for name, probe in (probes or PROBES).items():
        started = time.perf_counter()
        try:
            entry = {"status": "ok", **probe()}
        except ProbeFailed as exc:
            logger.warning("readyz: %s failed: %s", name, exc)
            entry = {"status": "failed", "error": str(exc), **exc.details}
        except Exception as exc:  # noqa: BLE001 - any failure of a service means "not ready"
            logger.warning("readyz: %s failed", name, exc_info=True)
            entry = {"status": "failed", "error": type(exc).__name__}
            if name == "database":
                # A broken connection must not be reused by the next probe or request.
                connection.close_if_unusable_or_obsolete()
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = entry
    return all(entry["status"] == "ok" for entry in results.values()), results
