"""Issue 9, public side: the verification page, the evidence and its checkpoints, the e-mail
code bound to one browser, rate limits (per link, trusted proxy, Redis), CSP, frozen rights."""

import datetime
import io
import json
import os
import re
import time
import uuid

import pytest
from acceptance_helpers import accept_form, as_shown, last_code, url, verify_email
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from hostile_pdf import blank_pdf, hostile_pdf

from terms_kit.acceptance import evidence
from terms_kit.acceptance.csp import POLICY
from terms_kit.documents import sealing
from terms_kit.models import ChainCheckpoint, ChainHead, ConsentRecord, SealedFile
from terms_kit.services import acceptance as service
from terms_kit.storage import private_storage

pytestmark = pytest.mark.django_db

VERIFY = "/terms/verify/"


def read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def sign(client, token, keys, capture, full_name="Julien Petit"):
    verify_email(client, token)
    with capture(execute=True):
        return client.post(url("accept", token), accept_form(keys, full_name), follow=True)


def signed_s2(sent, client, capture):
    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], capture, "Marie Durand")
    return engagement, sent_link, ConsentRecord.objects.get(engagement=engagement)


# --- 1. /terms/verify/ ---------------------------------------------------------------------

def test_hostile_pdf_is_answered_within_a_second_as_not_of_this_site(
        sent, client, tmp_path, django_capture_on_commit_callbacks):
    """Measured: a PDF signed by another key under the seal's field name, with 3000 appended
    revisions (pyHanko takes minutes to validate it: bench/verify_hostile.py)."""
    engagement, _link, _record = signed_s2(sent, client, django_capture_on_commit_callbacks)
    hostile = hostile_pdf(tmp_path, revisions=3000)
    start = time.perf_counter()
    response = client.post(VERIFY, {"pdf": io.BytesIO(hostile)})
    elapsed = time.perf_counter() - start
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not a document of this site" in body and "matches no file" in body
    print(f"hostile PDF ({len(hostile)} bytes, 3000 revisions) answered in "
          f"{elapsed * 1000:.0f} ms")
    assert elapsed < 1.0, f"answered in {elapsed:.2f} s"
    # Even handed to the seal check directly, it is refused on its revisions, at once.
    start = time.perf_counter()
    check = sealing.check_seal(hostile)
    assert not check.ok and "3002 revisions" in check.message
    assert time.perf_counter() - start < 1.0
    # Regression: the genuine sealed pack still checks out, with its quote number.
    pack = read(SealedFile.objects.get().pdf)
    assert sealing.revision_count(pack) <= sealing.MAX_REVISIONS
    genuine = client.post(VERIFY, {"pdf": io.BytesIO(pack)}).content.decode()
    assert "Sealed document of this site, unchanged" in genuine and engagement.number in genuine


def test_a_foreign_pdf_is_never_parsed(sealed_settings, client, monkeypatch):
    """The SHA-256 lookup comes first: an unknown file never reaches the seal check."""
    def fail(data):
        raise AssertionError("check_seal called for a file this site never issued")

    monkeypatch.setattr(sealing, "check_seal", fail)
    response = client.post(VERIFY, {"pdf": io.BytesIO(blank_pdf())})
    assert "Not a document of this site" in response.content.decode()


def test_an_oversize_upload_is_refused_before_its_body_is_read(sealed_settings, client):
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "VERIFY_MAX_UPLOAD_BYTES": 100_000}
    big = io.BytesIO(b"%PDF-1.7\n" + b"0" * 400_000)
    response = client.post(VERIFY, {"pdf": big})
    assert response.status_code == 413
    assert "The file is too large: 0.1 MB at most" in response.content.decode()
    assert response["Content-Security-Policy"] == POLICY


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = super().readline(size)
        self.consumed += len(chunk)
        return chunk


def _multipart(file_bytes):
    boundary = "BoUnDaRy"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; "
            f"filename=\"x.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += file_bytes + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("declared_larger", [True, False])
def test_the_size_limit_is_enforced_while_reading(sealed_settings, declared_larger):
    """A declared size over the limit: not a byte read. A body within the declared allowance
    but a file over the limit: reading stops at the limit (the upload handler)."""
    from django.core.handlers.wsgi import WSGIRequest

    from terms_kit.acceptance.views import verify_seal_view

    limit = 100_000
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "VERIFY_MAX_UPLOAD_BYTES": limit}
    # 160 kB: within the declared allowance (limit + 64 kB of form), over the file limit.
    file_bytes = b"%PDF-1.7\n" + b"0" * (3_000_000 if declared_larger else 160_000)
    body, content_type = _multipart(file_bytes)
    stream = CountingStream(body)
    request = WSGIRequest({
        "REQUEST_METHOD": "POST", "PATH_INFO": VERIFY, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "wsgi.input": stream,
    })
    request._dont_enforce_csrf_checks = True
    response = verify_seal_view(request)
    assert response.status_code == 413
    if declared_larger:
        assert stream.consumed == 0
    else:
        assert limit < stream.consumed < len(body)


# --- 2. Evidence: every column, the sealed hash, checkpoints --------------------------------

def _rewrite(record, **columns):
    """What someone with write access to the database would do: change a record, recompute
    its format-2 hash and the chain head (one record: the head is this record)."""
    values = {"sequence": record.sequence, "kind": record.kind,
              "engagement_id": record.engagement_id, "created_at": record.created_at,
              "previous_hash": record.previous_hash, "payload": record.payload, **columns}
    new_hash = evidence.record_hash_v2(**values)
    table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET payload = %s, created_at = %s, record_hash = %s "
                       "WHERE id = %s",
                       [values["payload"], values["created_at"], new_hash, record.pk])
        cursor.execute(f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s",
                       [new_hash])
    return new_hash


@pytest.fixture
def checkpointing(sealed_settings):
    sealed_settings.ADMINS = [("Site admin", "admin@terms-kit.example")]
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT, "CHECKPOINT_AFTER_ACCEPTANCE": True,
                                 "CHECKPOINT_EMAILS": ["notary@terms-kit.example"]}
    return sealed_settings


def test_rewritten_record_with_recomputed_hashes_is_reported(
        sent, client, checkpointing, tmp_path, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    engagement, _link, record = signed_s2(sent, client, django_capture_on_commit_callbacks)
    # The acceptance queued a checkpoint (immediate backend in tests): stored and e-mailed.
    [checkpoint] = ChainCheckpoint.objects.all()
    assert (checkpoint.record_count, checkpoint.head_hash) == (1, record.record_hash)
    [notice] = [m for m in mail.outbox if "checkpoint" in m.subject]
    assert sorted(notice.to) == ["admin@terms-kit.example", "notary@terms-kit.example"]
    (json_name, json_bytes, _), (sig_name, sig_bytes, _) = notice.attachments
    assert json.loads(json_bytes)["head_hash"] == record.record_hash
    assert sealing.check_detached(json_bytes, sig_bytes)
    tampered = json_bytes.replace(b'"record_count": 1', b'"record_count": 2')
    assert tampered != json_bytes and not sealing.check_detached(tampered, sig_bytes)
    assert private_storage.exists(checkpoint.document.name)
    # Idempotent: nothing changed, nothing stored or sent.
    mail.outbox.clear()
    out = io.StringIO()
    call_command("termskit", "checkpoint", stdout=out)
    assert "Nothing changed" in out.getvalue() and not mail.outbox
    assert ChainCheckpoint.objects.count() == 1
    call_command("termskit", "verify")
    # Keep the e-mailed copy outside the site, as the administrators would.
    (tmp_path / json_name).write_bytes(json_bytes)
    (tmp_path / sig_name).write_bytes(sig_bytes)

    payload = json.loads(record.payload)
    payload["client"]["signer_name"] = "Someone Else"
    payload["signature"]["typed_name"] = "Someone Else"
    new_hash = _rewrite(record, payload=evidence.canonical_json(payload))
    forged = ConsentRecord.objects.get(pk=record.pk)
    assert forged.record_hash == new_hash and not evidence.check_record(forged)
    assert not evidence.check_chain()  # the chain alone is consistent again...

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", stderr=err)
    report = err.getvalue()
    assert f"checkpoint {checkpoint.document.name}" in report and "re-hashed" in report
    assert f"names record #1 SHA-256 {record.record_hash}" in report  # the sealed PDF's hash
    # Wiping the site's checkpoints does not help: the e-mailed copy still reports it.
    private_storage.delete(checkpoint.document.name)
    private_storage.delete(checkpoint.signature.name)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ChainCheckpoint._meta.db_table}")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", "--skip-files", "--checkpoint",
                     str(tmp_path / json_name), stderr=err)
    assert str(tmp_path / json_name) in err.getvalue()
    # The public page no longer calls the pack intact.
    pack = read(SealedFile.objects.get().pdf)
    body = client.post(VERIFY, {"pdf": io.BytesIO(pack)}).content.decode()
    assert "Sealed document of this site, unchanged" not in body
    assert "evidence does not check out" in body
    assert engagement.number not in body.split("evidence does not check out")[1]


def test_checkpoint_refuses_a_broken_chain_and_a_forged_checkpoint_is_reported(
        sent, client, checkpointing, tmp_path, django_capture_on_commit_callbacks):
    _engagement, _link, record = signed_s2(sent, client, django_capture_on_commit_callbacks)
    # A checkpoint signed with another key, dropped into storage, is not ours.
    other_cert, other_key = sealing.make_self_signed(tmp_path / "other")
    json_name, sig_name = evidence.checkpoint_names(1, "f" * 64)
    document = json.dumps({"record_count": 1, "head_hash": "f" * 64}).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sealing, "get_signer", lambda: __import__(
            "pyhanko.sign.signers", fromlist=["x"]).SimpleSigner.load(str(other_key),
                                                                       str(other_cert)))
        signature = sealing.sign_detached(document)
    private_storage.save(json_name, io.BytesIO(document))
    private_storage.save(sig_name, io.BytesIO(signature))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", "--skip-files", stderr=err)
    assert "not made with this site's seal" in err.getvalue()
    private_storage.delete(json_name)
    private_storage.delete(sig_name)
    call_command("termskit", "verify", "--skip-files")
    # A broken chain is not anchored.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ConsentRecord._meta.db_table} SET kind = 'withdrawal'")
    with pytest.raises(CommandError, match="not checkpointed"):
        call_command("termskit", "checkpoint", stderr=io.StringIO())
    assert ChainCheckpoint.objects.count() == 1


@pytest.mark.parametrize("hash_version", [2, 1])
def test_an_edited_acceptance_date_is_reported_and_never_shown_as_intact(
        sent, client, hash_version, django_capture_on_commit_callbacks):
    """Format 2 hashes created_at; a format-1 record (made before) is cross-checked against
    its payload. Either way, even with the hash and head recomputed."""
    engagement, _link, record = signed_s2(sent, client, django_capture_on_commit_callbacks)
    earlier = record.created_at - datetime.timedelta(days=40)
    table = ConsentRecord._meta.db_table
    if hash_version == 2:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET created_at = %s WHERE id = %s",
                           [earlier, record.pk])
    else:
        legacy = evidence.record_hash(record.previous_hash, record.payload)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET created_at = %s, hash_version = 1, "
                           "record_hash = %s WHERE id = %s", [earlier, legacy, record.pk])
            cursor.execute(f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s", [legacy])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", "--skip-files", stderr=err)
    assert "differs from the evidence" in err.getvalue()
    pack = read(SealedFile.objects.get().pdf)
    body = client.post(VERIFY, {"pdf": io.BytesIO(pack)}).content.decode()
    assert "Sealed document of this site, unchanged" not in body and "Accepted on" not in body
    # The quote's own PDF (issued, not sealed) shows no acceptance date either.
    quote = engagement.documents.filter(kind="quote").first()
    body = client.post(VERIFY, {"pdf": io.BytesIO(read(quote.pdf))}).content.decode()
    assert "Accepted on" not in body and "evidence does not check out" in body


# --- 3. The e-mail code confirms one browser ------------------------------------------------

def test_the_code_confirms_the_browser_that_typed_it_only(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S1")
    token = sent_link.token
    verify_email(client, token)
    assert b'id="step-sign"' in client.get(url("review", token)).content
    other = Client()  # the same link in another browser (a forwarded e-mail)
    page = other.get(url("review", token)).content
    assert b'id="step-sign"' not in page and b'id="send-code"' in page
    keys = ["terms", "early_start", "withdrawal_loss"]
    response = other.post(url("accept", token), accept_form(keys, "Mallory"), follow=True)
    assert as_shown("Nothing was signed: complete the highlighted items.") in response.content
    assert as_shown("Confirm your e-mail address with the code we sent first.") in response.content
    assert not ConsentRecord.objects.exists()
    # That browser is offered a code again; with it, it may sign.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        other.post(url("code", token))
    assert [m.to for m in mail.outbox] == [[engagement.client.email]]
    other.post(url("verify_code", token), {"code": last_code()})
    with django_capture_on_commit_callbacks(execute=True):
        other.post(url("accept", token), accept_form(keys, "Julien Petit"))
    record = ConsentRecord.objects.get()
    code = sent_link.link.codes.order_by("-created_at").first()
    steps = json.loads(record.payload)["steps"]
    assert steps["email_verified_at"] == code.used_at.isoformat()  # this browser's code
    # Withdrawal stays one button from the link, from any browser, without a code.
    third = Client()
    with django_capture_on_commit_callbacks(execute=True):
        third.post(url("withdraw", token))
    engagement.refresh_from_db()
    assert engagement.status == "withdrawn"


# --- 4. Rate limits -------------------------------------------------------------------------

def _limits(settings, code=2):
    settings.TERMS_KIT = {**settings.TERMS_KIT, "RATE_LIMITS": {
        "client": (100, 60), "code": (code, 60), "accept": (5, 60), "verify": (5, 60)}}


def test_unknown_tokens_count_nothing_and_links_are_counted_apart(sent, client, settings):
    _limits(settings)
    _a, link_a = sent("S2")
    _b, link_b = sent("S1")
    assert [client.post(url("code", "x" * 43)).status_code for _ in range(5)] == [410] * 5
    statuses = [client.post(url("code", link_a.token)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.post(url("code", link_b.token)).status_code == 302  # another link: its own


def test_trusted_proxy_count_separates_clients_behind_the_proxy(sent, settings):
    _limits(settings)
    _engagement, sent_link = sent("S2")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    # Without the proxy setting the header is ignored: both share the proxy's address.
    assert [first.post(url("code", sent_link.token)).status_code for _ in range(2)] == [302] * 2
    assert second.post(url("code", sent_link.token)).status_code == 429
    settings.TERMS_KIT = {**settings.TERMS_KIT, "TRUSTED_PROXY_COUNT": 1}
    from django.core.cache import cache

    cache.clear()
    assert [first.post(url("code", sent_link.token)).status_code for _ in range(3)] == [
        302, 302, 429]
    assert second.post(url("code", sent_link.token)).status_code == 302
    # A client forging an extra entry is still counted by what the proxy appended.
    forger = Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", **proxy)
    assert forger.post(url("code", sent_link.token)).status_code == 429


def test_client_ip_with_trusted_proxy_networks(settings, rf):
    from terms_kit.acceptance.ratelimit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2",
                     HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.1")
    assert client_ip(request) == "10.0.0.2"  # nothing configured: REMOTE_ADDR
    settings.TERMS_KIT = {"TRUSTED_PROXIES": ["10.0.0.0/24"]}
    assert client_ip(request) == "198.51.100.7"  # right to left, first address not a proxy
    direct = rf.get("/", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(direct) == "198.51.100.8"  # not from a proxy: header ignored
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.0.0.2"


def test_rate_limit_counts_are_shared_through_redis(settings):
    """Two cache clients, as two worker processes would have, against Redis db 2 (the
    production settings' backend: Django's RedisCache keeping its redis-py client)."""
    pytest.importorskip("redis")
    from terms_kit.acceptance.ratelimit import hit
    from wagtail_site.redis_cache import ReusedClientRedisCache

    location = "redis://127.0.0.1:6379/2"
    worker_a, worker_b = (ReusedClientRedisCache(location, {}) for _ in range(2))
    try:
        worker_a.get("ping")
    except Exception as exc:  # scripts/test starts Redis and requires it
        if os.environ.get("TERMS_KIT_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis not reachable at {location}: {exc}")
    assert worker_a._cache is not worker_b._cache
    settings.TERMS_KIT = {"RATE_LIMITS": {"code": (3, 60)}}
    key = f"test-{uuid.uuid4().hex}"
    try:
        results = [hit("code", key, cache=worker) for worker in
                   (worker_a, worker_b, worker_a, worker_b)]
        assert results == [True, True, True, False]
    finally:
        for worker in (worker_a, worker_b):
            worker.close()


def test_a_redis_rate_limit_counter_always_expires_and_reads_as_djangos_integer():
    """incr_expiring (one round trip) gives the counter a lifetime once and never extends it,
    so a window always ends; Django's own get() reads what it stored."""
    pytest.importorskip("redis")
    from wagtail_site.redis_cache import ReusedClientRedisCache

    cache = ReusedClientRedisCache("redis://127.0.0.1:6379/2", {})
    try:
        cache.get("ping")
    except Exception as exc:
        if os.environ.get("TERMS_KIT_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    key = f"test-{uuid.uuid4().hex}"
    raw = cache._cache.get_client(write=True)
    try:
        assert cache.incr_expiring(key, 60) == 1
        raw.expire(cache.make_key(key), 30)  # as if 30 s had passed
        assert cache.incr_expiring(key, 60) == 2
        assert 0 < raw.ttl(cache.make_key(key)) <= 30
        assert cache.get(key) == 2
    finally:
        cache.delete(key)
        cache.close()


def test_production_settings_use_redis_and_one_trusted_proxy(seal_files):
    import os
    import subprocess
    import sys
    from pathlib import Path

    cert, key = seal_files
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.production",
           "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "terms-kit.example",
           "TERMS_KIT_SEAL_CERTIFICATE": str(cert), "TERMS_KIT_SEAL_KEY": str(key),
           "REDIS_URL": "redis://127.0.0.1:6379/2",
           "TERMS_KIT_PUBLIC_BASE_URL": "https://terms-kit.example",
           # Required by the production settings since deployment.md (issue 16).
           "DATABASE_URL": "postgres://termskit@db.internal:5432/termskit",
           "TERMS_KIT_S3_BUCKET": "terms-kit-private", "DJANGO_EMAIL_HOST": "smtp.example"}
    code = ("from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], "
            "s.CACHES['default']['LOCATION'], s.TERMS_KIT['TRUSTED_PROXY_COUNT'])")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code],
                            cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "wagtail_site.redis_cache.ReusedClientRedisCache", "redis://127.0.0.1:6379/2", "1",
    ], result.stderr


# --- 5. Content-Security-Policy --------------------------------------------------------------

def test_client_and_verification_pages_carry_the_csp_and_no_inline_script(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S1")
    token = sent_link.token
    verify_email(client, token)
    pages = {
        "review": client.get(url("review", token)),
        "withdraw": client.get(url("withdraw", token)),
        "verify": client.get(VERIFY),
        "verify-post": client.post(VERIFY, {"pdf": io.BytesIO(blank_pdf())}),
        "gone": client.get(url("review", "x" * 43)),
        "not-found": client.get(url("document", token, 999999, "pdf")),
        "csrf": Client(enforce_csrf_checks=True).post(url("code", token)),
    }
    for name, response in pages.items():
        assert response["Content-Security-Policy"] == POLICY, name
        html = response.content.decode()
        assert "<style" not in html, name
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name
        assert not re.search(r"\son[a-z]+\s*=", html), name
    assert [r.status_code for r in pages.values()] == [200, 200, 200, 200, 410, 404, 403]
    assert "default-src 'none'" in POLICY and "'unsafe-inline'" not in POLICY


# --- 6. Rights frozen at acceptance ----------------------------------------------------------

def test_turning_an_accepted_consumer_into_a_business_keeps_the_withdrawal_right(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S1")
    token = sent_link.token
    sign(client, token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks)
    rights = json.loads(ConsentRecord.objects.get().payload)["rights"]
    assert rights["withdrawal"] and rights["consumer_regime"] and rights["withdrawal_days"] == 14
    # The client's live row changes after acceptance (what the bug report did in the admin).
    client_row = engagement.client
    type(client_row).objects.filter(pk=client_row.pk).update(kind="business")
    engagement.refresh_from_db()
    assert service.can_withdraw(engagement)
    page = client.get(url("review", token))
    assert url("withdraw", token).encode() in page.content
    with translation.override("fr"):  # the page says the frozen right, in the client's words
        said = gettext("You may withdraw within %(days)s days of accepting, without giving a "
                       "reason.") % {"days": 14}
    assert said in page.context["summary"]["payment"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("withdraw", token))
    engagement.refresh_from_db()
    assert engagement.status == "withdrawn"
    # Both records, and the receipt's seal naming the withdrawal record, check out.
    receipt = SealedFile.objects.get(record__kind="withdrawal")
    assert evidence.sealed_record_hash(read(receipt.pdf))[1] == receipt.record.record_hash
    call_command("termskit", "verify")


def test_a_business_turned_consumer_after_acceptance_gets_no_withdrawal(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks)
    type(engagement.client).objects.filter(pk=engagement.client_id).update(kind="consumer")
    engagement.refresh_from_db()
    assert not service.can_withdraw(engagement)
    client.post(url("withdraw", sent_link.token))
    engagement.refresh_from_db()
    # Still accepted (then moved on by the payment schedule), never withdrawn.
    assert engagement.status == "deposit_due"
    assert not engagement.consent_records.filter(kind="withdrawal").exists()


def test_csp_lets_the_pay_form_go_to_the_providers_checkout_only(settings):
    from terms_kit.acceptance.csp import current_policy

    assert "form-action 'self';" in current_policy()  # no provider: our own pages only
    settings.TERMS_KIT = {
        **settings.TERMS_KIT,
        "PAYMENT_PROVIDER": "terms_kit.payments.providers.stripe.StripeProvider",
        "PAYMENT_PROVIDER_OPTIONS": {"secret_key": "sk_test_x", "webhook_secret": "whsec_x"},
    }
    assert "form-action 'self' https://checkout.stripe.com;" in current_policy()
