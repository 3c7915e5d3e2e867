"""Faults, with the real parts: a task worker or its LibreOffice killed mid-conversion, the
converter timing out, the database lost and the storage refusing a write during an acceptance.

Each test says what it checks: what the person in front of the screen sees, and that nothing
is lost, doubled or left half-written (every model's row count, the files behind records).
"""

import datetime
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from acceptance_helpers import accept_form, as_shown, url, verify_email
from django.apps import apps
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone, translation

from terms_kit.admin.documents import failure_message, generatable_kinds
from terms_kit.documents.converters.base import get_converter
from terms_kit.models import (
    AccessLink,
    ConsentKind,
    ConsentRecord,
    DocumentRequest,
    IssuedDocument,
    SealedFile,
)
from terms_kit.models.documents import DocumentKind
from terms_kit.services.documents import STALLED_AFTER, issue_document, requeue_stalled
from terms_kit.status import Status
from terms_kit.storage import private_storage
from tests.conftest import requires_postgres, s3_storage_settings

REPO = Path(__file__).resolve().parents[2]


def row_counts():
    """How many rows each terms-kit model holds: a partial write shows up as a difference."""
    return {model._meta.label: model.objects.count()
            for model in apps.get_app_config("terms_kit").get_models()}


def files_behind_records():
    """Every issued document and sealed pack points at a file that exists."""
    missing = [name for name in (
        *(f.name for d in IssuedDocument.objects.all() for f in (d.pdf, d.docx)),
        *(s.pdf.name for s in SealedFile.objects.all()),
    ) if not private_storage.exists(name)]
    assert missing == [], f"records pointing at no file: {missing}"


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


def children(pid, marker):
    """Processes whose parent is ``pid`` and whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and marker in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- a) a worker killed in the middle of a conversion --------------------------------------

def start_db_worker(s3_bucket, log, *extra):
    """A real `manage.py db_worker` on this test's PostgreSQL database and S3 bucket."""
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "tests.integration.fault_worker_settings",
           "TERMS_KIT_FAULT_DB_NAME": connection.settings_dict["NAME"],
           "TERMS_KIT_FAULT_STORAGE": json.dumps(s3_storage_settings(s3_bucket.endpoint,
                                                                     s3_bucket.name)),
           "TERMS_KIT_FAULT_TERMS_KIT": json.dumps({"PDF_CONVERTER_OPTIONS": {"size": 1}})}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", *extra],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_worker_killed_mid_conversion_runs_again_and_records_each_document_once(
        make_engagement, s3_bucket, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    engagement = make_engagement("S2")
    kinds = generatable_kinds(engagement)
    assert len(kinds) >= 2
    from terms_kit.services.documents import request_documents

    request = request_documents(engagement, kinds, "fr", user=engagement.owner)
    log = open(tmp_path / "worker.log", "wb")
    worker = start_db_worker(s3_bucket, log)
    try:
        # Killed once the first document is recorded, while its LibreOffice converts the next.
        first = wait_for(lambda: IssuedDocument.objects.filter(engagement=engagement).first(),
                         180, "the worker's first document")
        converters = children(worker.pid, "uno_worker.py")
        assert converters, "the worker converts with its warm LibreOffice"
        assert IssuedDocument.objects.filter(engagement=engagement).count() < len(kinds)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    request.refresh_from_db()
    assert request.state == DocumentRequest.State.RUNNING  # what a dead worker leaves behind
    # Its LibreOffice goes with it (its input closes), so no soffice is left eating memory.
    wait_for(lambda: not any(alive(pid) for pid in converters), 60, "the orphan LibreOffice")

    assert requeue_stalled() == [], "a running request is not taken from a live worker early"
    later = timezone.now() + STALLED_AFTER + datetime.timedelta(seconds=1)
    assert requeue_stalled(now=later) == [request.pk]
    assert requeue_stalled(now=later) == [], "queued again once"

    again = start_db_worker(s3_bucket, log, "--batch")
    assert again.wait(timeout=300) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    log.close()

    request.refresh_from_db()
    assert request.state == DocumentRequest.State.DONE, request.error
    documents = IssuedDocument.objects.filter(engagement=engagement)
    assert sorted(documents.values_list("kind", flat=True)) == sorted(kinds)  # one each
    assert first in documents and set(request.documents.all()) == set(documents)
    for document in documents:
        body = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=document.pdf.name)
        assert hashlib.sha256(body["Body"].read()).hexdigest() == document.pdf_sha256


@pytest.mark.django_db
def test_a_libreoffice_killed_mid_conversion_the_document_is_made_once_by_the_fallback(
        make_engagement, caplog):
    engagement = make_engagement("S2")
    pool = get_converter()
    pool.start()  # one warm worker (size 1 in the test settings): the one that converts next
    warm = pool._idle.queue[-1]
    killed = threading.Event()

    def kill_when_converting():
        # The docx lands in the worker's folder just before the conversion is asked for.
        source = warm.folder / "document.docx"
        source.unlink(missing_ok=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not source.exists():
            time.sleep(0.005)
        os.killpg(warm.process.pid, signal.SIGKILL)
        killed.set()

    watcher = threading.Thread(target=kill_when_converting)
    watcher.start()
    with caplog.at_level(logging.WARNING, logger="terms_kit.documents.converters.pool"):
        document = issue_document(engagement, "quote", "fr")
    watcher.join()
    assert killed.is_set()
    assert any("the warm worker failed" in r.getMessage() for r in caplog.records), (
        "the kill landed during the conversion, which the cold fallback finished")
    assert IssuedDocument.objects.filter(engagement=engagement, kind="quote").count() == 1
    assert private_storage.open(document.pdf.name).read().startswith(b"%PDF")
    assert warm.process.poll() is not None, "the killed worker was retired"
    # The pool starts a fresh warm worker for the next document.
    issue_document(engagement, "terms", "fr")
    assert pool._idle.queue and pool._idle.queue[-1] is not warm


# --- b) the converter times out: a clear failed state, retried by the expert -----------------

@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_b_a_converter_timeout_is_a_clear_failure_the_expert_retries_from_the_admin(
        make_engagement, client, settings, django_capture_on_commit_callbacks, language):
    from wagtail.users.models import UserProfile

    engagement = make_engagement("S2")
    profile = UserProfile.get_for_user(engagement.owner)
    profile.preferred_language = language
    profile.save()
    client.force_login(engagement.owner)
    working = settings.TERMS_KIT
    settings.TERMS_KIT = {**working, "PDF_CONVERTER_OPTIONS": {"size": 1, "timeout": 0.01}}
    page_url = reverse("terms_kit_engagement:documents", args=[engagement.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("terms_kit_engagement:documents_generate",
                                       args=[engagement.pk]), {"language": language})
    assert response.status_code == 302
    request = DocumentRequest.objects.get(engagement=engagement)
    assert request.state == DocumentRequest.State.FAILED
    assert "did not" in request.error and "0.01 s" in request.error  # for the operator
    assert not IssuedDocument.objects.filter(engagement=engagement).exists()

    page = client.get(page_url).content.decode()
    with translation.override(language):
        names = [str(DocumentKind(kind).label) for kind in request.kinds]
        expected = failure_message(names)
        retry_label = translation.gettext("Retry")
    assert names[0] in expected
    from django.utils.html import escape

    assert escape(expected) in page, "which documents failed, and what to do"
    assert f">{retry_label}</button>" in page
    assert 'http-equiv="refresh"' not in page, "a failed request does not keep reloading"
    if language == "fr":
        assert "Réessayer" in page and "convertisseur" in expected

    # The converter is back: the expert presses Retry.
    settings.TERMS_KIT = working
    retry_url = reverse("terms_kit_engagement:documents_retry", args=[engagement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, {"request": request.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == DocumentRequest.State.DONE and request.error == ""
    assert sorted(IssuedDocument.objects.filter(engagement=engagement)
                  .values_list("kind", flat=True)) == sorted(request.kinds)
    # A second press (another tab) queues nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(retry_url, {"request": request.pk})
    assert callbacks == []
    assert DocumentRequest.objects.filter(engagement=engagement).count() == 1


@pytest.mark.django_db
def test_b_another_experts_request_cannot_be_retried(make_engagement, make_expert, client):
    engagement = make_engagement("S2")
    request = DocumentRequest.objects.create(
        owner=engagement.owner, engagement=engagement, kinds=["quote"], language="fr",
        state=DocumentRequest.State.FAILED, error="soffice did not convert")
    client.force_login(make_expert("intruder"))
    response = client.post(reverse("terms_kit_engagement:documents_retry",
                                   args=[engagement.pk]), {"request": request.pk})
    assert response.status_code in (302, 403, 404)
    request.refresh_from_db()
    assert request.state == DocumentRequest.State.FAILED


# --- c) the database goes away during an acceptance -----------------------------------------

def lose_the_database_at(table, fired):
    """An execute wrapper: as the request's connection is about to insert into ``table``, the
    database goes away. On PostgreSQL another connection ends the request's backend
    (pg_terminate_backend, as a restart or a failover does); on SQLite, which has no server,
    the driver's OperationalError is raised at the same point."""
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    target = f'INSERT INTO "{table}"'

    def wrapper(execute, sql, params, many, context):
        if not fired and sql.startswith(target):
            fired.append(sql)
            if pid is None:
                raise OperationalError("disk I/O error")
            database = connection.settings_dict
            with psycopg.connect(host=database["HOST"] or "127.0.0.1",
                                 port=database["PORT"] or 5432, user=database["USER"],
                                 dbname=database["NAME"], autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        return execute(sql, params, many, context)

    return wrapper


def accepted_cleanly(engagement, client, token, form):
    """The client signs again once the fault is gone: one record, one pack, its file."""
    response = client.post(url("accept", token), form)
    assert response.status_code == 302
    assert ConsentRecord.objects.filter(engagement=engagement,
                                        kind=ConsentKind.ACCEPTANCE).count() == 1
    sealed = SealedFile.objects.get(engagement=engagement)
    with private_storage.open(sealed.pdf.name) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sealed.pdf_sha256
    engagement.refresh_from_db()
    assert engagement.status != Status.SENT


def assert_plain_error(response, language):
    assert response.status_code == 503
    page = response.content
    for words in ("Nothing was signed",):
        assert as_shown(words, language) in page
    if language == "fr":
        assert "Rien n’a été signé".encode() in page or "Rien n'a été signé".encode() in page
        assert b"Nothing was signed" not in page
    for leak in (b"Traceback", b"OperationalError", b"terminating", b"Forbidden",
                 b"ClientError", b"StorageUnavailable", b"disk I/O"):
        assert leak not in page


@pytest.mark.parametrize("table,language", [
    ("terms_kit_consentrecord", "fr"),  # the first write of the evidence
    ("terms_kit_sealedfile", "en"),  # the last one, after the pack is sealed and stored
])
@pytest.mark.django_db(transaction=True)
def test_c_the_database_lost_during_an_acceptance_leaves_nothing_and_says_so_plainly(
        sent, client, table, language, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    AccessLink.objects.filter(pk=sent_link.link.pk).update(language=language)
    verify_email(client, token)
    form = accept_form(["terms", "deposit"])
    before, outbox = row_counts(), len(mail.outbox)

    fired = []
    with connection.execute_wrapper(lose_the_database_at(table, fired)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("accept", token), form)
    assert fired, f"the acceptance wrote to {table}"
    assert_plain_error(response, language)
    assert row_counts() == before, "no acceptance, consent, status change, pack or document"
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT
    assert len(mail.outbox) == outbox, "no 'accepted' e-mail for what was not recorded"
    files_behind_records()

    with django_capture_on_commit_callbacks(execute=True):
        accepted_cleanly(engagement, client, token, form)
    files_behind_records()


# --- d) the storage refuses a write ---------------------------------------------------------

def deny_writes(s3_bucket):
    s3_bucket.client.put_bucket_policy(Bucket=s3_bucket.name, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": f"arn:aws:s3:::{s3_bucket.name}/*"}]}))


def object_names(s3_bucket):
    listing = s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.mark.django_db
def test_d_the_storage_refusing_a_write_leaves_the_acceptance_undone_and_a_retry_works(
        s3_bucket, sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    verify_email(client, token)
    form = accept_form(["terms", "deposit"])
    before, outbox, stored = row_counts(), len(mail.outbox), object_names(s3_bucket)

    deny_writes(s3_bucket)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("accept", token), form)
    assert_plain_error(response, "fr")  # S2's client reads French
    assert row_counts() == before
    engagement.refresh_from_db()
    assert engagement.status == Status.SENT
    assert len(mail.outbox) == outbox
    assert object_names(s3_bucket) == stored
    files_behind_records()
    # The review page still opens, and still offers to sign.
    review = client.get(url("review", token))
    assert review.status_code == 200 and b'name="full_name"' in review.content

    s3_bucket.client.delete_bucket_policy(Bucket=s3_bucket.name)
    with django_capture_on_commit_callbacks(execute=True):
        accepted_cleanly(engagement, client, token, form)
    sealed = SealedFile.objects.get(engagement=engagement)
    assert sealed.pdf.name in object_names(s3_bucket)
    files_behind_records()


@pytest.mark.django_db
def test_a_an_invoice_whose_document_task_died_gets_its_document_once_when_requeued(
        accepted, django_capture_on_commit_callbacks):
    from terms_kit.models import Invoice
    from terms_kit.services import payments
    from terms_kit.services.invoicing import requeue_undocumented

    engagement, _link = accepted("S2")
    # The task is queued on commit and never runs: what a worker killed mid-task leaves.
    with django_capture_on_commit_callbacks(execute=False):
        payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                                method="transfer")
    invoice = Invoice.objects.get(engagement=engagement, kind="deposit")
    assert not IssuedDocument.objects.filter(invoice=invoice).exists()
    assert requeue_undocumented() == [], "a fresh invoice is left to its own task"
    later = timezone.now() + STALLED_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_undocumented(now=later) == [invoice.pk]
    document = IssuedDocument.objects.get(invoice=invoice)
    assert private_storage.open(document.pdf.name).read().startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_undocumented(now=later) == []
    assert IssuedDocument.objects.filter(invoice=invoice).count() == 1
