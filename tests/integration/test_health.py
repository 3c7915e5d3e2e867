"""/healthz and /readyz: each service that fails makes /readyz answer 503 and name it, with
no host, address, bucket or credential in the output. Every failure here is a real one: a
closed port, a stopped S3 server, a bucket that does not exist, a converter binary missing."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import include, path
from django.utils import timezone

from scripts.local_services import free_port, start_moto
from tests.conftest import s3_storage_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

urlpatterns = [path("", include("terms_kit.health.urls"))]


@pytest.fixture
def site(settings, tmp_path):
    settings.ROOT_URLCONF = __name__
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PRIVATE_ROOT": str(tmp_path / "private")}
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "terms_kit"}
    return settings


def ready(client, path="/readyz"):
    response = client.get(path)
    data = json.loads(response.content)
    return response.status_code, data


def failed(data):
    return sorted(name for name, check in data["checks"].items() if check["status"] != "ok")


def test_liveness_touches_no_database(client, site, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_every_service_answers(client, site):
    status, data = ready(client)
    assert status == 200, data
    assert data["status"] == "ok"
    assert set(data["checks"]) == {"database", "cache", "storage", "converter", "task_queue"}
    for check in data["checks"].values():
        assert check["status"] == "ok" and check["ms"] >= 0


def test_a_redis_cache_on_a_closed_port_is_not_ready(client, site):
    site.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                               "OPTIONS": {"socket_connect_timeout": 1}}}
    status, data = ready(client)
    assert status == 503 and failed(data) == ["cache"]
    assert data["checks"]["cache"]["error"] == "ConnectionError"
    assert "127.0.0.1" not in json.dumps(data)


def test_a_stopped_s3_server_is_not_ready(client, site):
    process, endpoint = start_moto()
    site.STORAGES = {**site.STORAGES, "terms_kit": s3_storage_settings(endpoint, "stopped")}
    process.terminate()
    process.wait(timeout=10)
    status, data = ready(client)
    assert status == 503 and failed(data) == ["storage"]
    assert endpoint.split("//")[1] not in json.dumps(data)


def test_a_bucket_that_does_not_exist_is_not_ready(client, site, moto_endpoint, s3_bucket):
    # s3_bucket made one bucket: the probe is ready there, and not in a misspelt one.
    status, data = ready(client)
    assert status == 200, data
    site.STORAGES = {**site.STORAGES,
                     "terms_kit": s3_storage_settings(moto_endpoint, s3_bucket.name + "-typo")}
    status, data = ready(client)
    assert status == 503 and failed(data) == ["storage"]
    text = json.dumps(data)
    assert s3_bucket.name not in text and "local-moto" not in text


def test_the_storage_probe_never_deletes_and_is_written_once(client, site, s3_bucket):
    for _ in range(3):
        assert ready(client)[0] == 200
    keys = [o["Key"] for o in
            s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name).get("Contents", [])]
    assert keys == ["terms_kit/health/probe.txt"]


def test_a_missing_libreoffice_is_not_ready(client, site):
    site.TERMS_KIT = {**site.TERMS_KIT, "PDF_CONVERTER_OPTIONS": {
        "size": 1, "soffice": "/nonexistent/soffice"}}
    status, data = ready(client)
    assert status == 503 and failed(data) == ["converter"]
    assert "nonexistent" not in json.dumps(data)


def test_a_gotenberg_that_does_not_answer_is_not_ready(client, site):
    gotenberg = "terms_kit.documents.converters.gotenberg.GotenbergConverter"
    site.TERMS_KIT = {**site.TERMS_KIT, "PDF_CONVERTER": gotenberg,
                      "PDF_CONVERTER_OPTIONS": {"url": f"http://127.0.0.1:{free_port()}"}}
    status, data = ready(client)
    assert status == 503 and failed(data) == ["converter"]
    assert "127.0.0.1" not in json.dumps(data)


def test_tasks_waiting_too_long_are_reported_and_fail_only_the_queue_probe(client, site):
    """A burst of conversions must not take every web node out of the load balancer: the
    lag is in /readyz's JSON, and fails readiness only at /readyz?queue=1."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    site.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    site.TERMS_KIT = {**site.TERMS_KIT, "HEALTH_MAX_QUEUE_LAG": 60}
    status, data = ready(client)
    assert status == 200 and data["checks"]["task_queue"]["lag_seconds"] == 0
    assert ready(client, "/readyz?queue=1")[0] == 200
    task = DBTaskResult.objects.create(
        task_path="terms_kit.tasks.make_pdf", args_kwargs={"args": [], "kwargs": {}},
        backend_name="default", run_after=get_date_max(), queue_name="default",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5))
    # The web node can still serve: ready, the queue's lag reported as late.
    status, data = ready(client)
    assert status == 200 and data["status"] == "ok" and not failed(data)
    queue = data["checks"]["task_queue"]
    assert queue["late"] is True and queue["lag_seconds"] >= 299
    # The worker-side / monitoring probe asks for the queue to count.
    status, data = ready(client, "/readyz?queue=1")
    assert status == 503 and failed(data) == ["task_queue"]
    assert data["checks"]["task_queue"]["lag_seconds"] >= 299
    assert data["checks"]["task_queue"]["late"] is True


def production_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "TERMS_KIT_", "DATABASE_URL"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.production", **extra}


def test_a_database_that_does_not_answer_is_not_ready(seal_files, tmp_path):
    """The production settings with PostgreSQL on a closed port, through Django's test client
    in a process of its own (the test database of this run must stay up)."""
    certificate, key = seal_files
    port = free_port()
    secret = "s3cret-" + "x" * 50
    env = production_env(
        DJANGO_SECRET_KEY=secret, DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"postgres://termskit:db-password@127.0.0.1:{port}/site",
        TERMS_KIT_PUBLIC_BASE_URL="https://terms-kit.example",
        TERMS_KIT_SEAL_CERTIFICATE=str(certificate), TERMS_KIT_SEAL_KEY=str(key),
        TERMS_KIT_PRIVATE_ROOT=str(tmp_path / "private"), DJANGO_SECURE_SSL_REDIRECT="0",
        TERMS_KIT_VAR_DIR=str(tmp_path / "var"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    script = ("import django, json; django.setup(); from django.test import Client; "
              "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    status, text = result.stdout.strip().splitlines()[-2:]
    data = json.loads(text)
    assert status == "503"
    assert "database" in failed(data) and data["checks"]["database"]["error"] == "OperationalError"
    for secret_part in ("db-password", "termskit", str(port), "127.0.0.1", secret):
        assert secret_part not in text


def test_production_settings_name_every_missing_variable_at_once(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
        env=production_env(DJANGO_ALLOWED_HOSTS="terms.example",
                           TERMS_KIT_VAR_DIR=str(tmp_path / "var")), timeout=120,
    )
    assert result.returncode != 0
    message = result.stderr[result.stderr.index("The production settings need"):]
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "TERMS_KIT_PUBLIC_BASE_URL",
                 "TERMS_KIT_SEAL_CERTIFICATE", "TERMS_KIT_SEAL_KEY", "TERMS_KIT_S3_BUCKET",
                 "DJANGO_EMAIL_HOST"):
        assert name in message
    assert "DJANGO_ALLOWED_HOSTS" not in message  # the one given is not asked for
