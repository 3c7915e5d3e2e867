"""Shared fixtures: experts, scenario specs (S1-S6) and engagements built from them."""

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from terms_kit.spec import import_spec

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "wagtail_site" / "home" / "demo_data"
SCENARIOS = {
    "S1": "s1_prepaid_call",
    "S2": "s2_consulting_milestones",
    "S3": "s3_coaching_credit",
    "S4": "s4_pay_per_answer",
    "S5": "s5_lawyer_fee_agreement",
    "S6": "s6_self_paid_training",
}


def scenario_spec(key):
    """A fresh copy of scenario ``key`` ("S1".."S6") as a spec dict."""
    path = SCENARIO_DIR / f"{SCENARIOS[key]}.json"
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def make_expert(django_user_model):
    """Factory: a staff user with the terms-kit permissions, as a real expert would have."""
    from django.contrib.auth.models import Permission

    def make(username="expert", **extra):
        user = django_user_model.objects.create_user(
            username=username, password="pw-" + username, is_staff=True, **extra
        )
        perms = Permission.objects.filter(content_type__app_label="terms_kit") | (
            Permission.objects.filter(content_type__app_label="wagtailadmin",
                                      codename="access_admin")
        )
        user.user_permissions.add(*perms)
        return user

    return make


@pytest.fixture
def expert(make_expert):
    return make_expert("expert")


@pytest.fixture
def spec():
    return scenario_spec


@pytest.fixture
def make_engagement(expert):
    """Factory: import scenario ``key`` (optionally edited by ``change(spec)``) for an owner."""

    def make(key="S2", owner=None, change=None):
        data = scenario_spec(key)
        if change:
            change(data)
        return import_spec(data, owner or expert)

    return make


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)


# --- Acceptance: a seal certificate, settings that use it, an engagement sent to its client.

@pytest.fixture(scope="session")
def seal_files(tmp_path_factory):
    from terms_kit.documents import sealing

    return sealing.make_self_signed(tmp_path_factory.mktemp("seal"))


def _forget_checkpoints():
    from terms_kit.acceptance.evidence import stored_checkpoints
    from terms_kit.storage import private_storage

    for names in stored_checkpoints():
        for name in names:
            if private_storage.exists(name):
                private_storage.delete(name)


@pytest.fixture
def sealed_settings(settings, seal_files):
    from django.core.cache import cache

    cache.clear()  # the rate limits count in the cache: each test starts from zero
    _forget_checkpoints()  # stored files outlive the test database's rollback
    cert, key = seal_files
    settings.TERMS_KIT = {**settings.TERMS_KIT, "SEAL_CERTIFICATE": str(cert),
                          "SEAL_KEY": str(key)}
    return settings


def acknowledge_warnings(engagement):
    """Acknowledge the engagement's compliance warnings as its expert would at the review
    (sending refuses an unacknowledged warning; S2 has one: params.missing)."""
    from terms_kit.compliance import check_engagement
    from terms_kit.services.drafts import acknowledge_warnings as acknowledge

    warnings = [f for f in check_engagement(engagement) if f.severity == "warning"]
    return acknowledge(engagement, warnings, engagement.owner)


@pytest.fixture
def fake_stripe(sealed_settings):
    """The FAKE Stripe server (tests/fakes/stripe_server.py) on 127.0.0.1, with terms-kit's
    Stripe settings pointing the real SDK at it."""
    from stripe_helpers import start_fake, stripe_settings

    fake = start_fake()
    stripe_settings(sealed_settings, fake)
    yield fake
    fake.stop()


@pytest.fixture
def sent(make_engagement, sealed_settings, django_capture_on_commit_callbacks):
    """Factory: scenario ``key`` sent to its client; returns (engagement, SentLink)."""
    from terms_kit.services.acceptance import send_to_client

    def make(key="S2", owner=None, change=None):
        engagement = make_engagement(key, owner=owner, change=change)
        acknowledge_warnings(engagement)
        with django_capture_on_commit_callbacks(execute=True):
            sent_link = send_to_client(engagement, engagement.owner)
        return engagement, sent_link

    return make


# --- Payments: engagements accepted through the real services; documents as text PDFs.
from tests.integration.payments_helpers import accepted, text_pdfs  # noqa: E402,F401

# --- Instalment plans: an engagement with an overdue invoice (S2's first milestone).
from tests.integration.plans_helpers import overdue  # noqa: E402,F401


def run_together(work, count):
    """Run ``work(index)`` in ``count`` threads released at the same moment (a barrier), each
    with its own database connection; returns (results, errors). A thread never fails silently:
    its exception is in ``errors``."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results, errors = [], []

    def target(index):
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


# --- Object storage: moto's S3 server on 127.0.0.1, the same API as any S3 service.

@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto_server on a free port for the whole session: its endpoint URL."""
    from scripts.local_services import start_moto

    process, endpoint = start_moto()
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


def s3_storage_settings(endpoint, bucket):
    """STORAGES entry of terms-kit's files in ``bucket`` (as wagtail_site/settings/production.py)."""
    from scripts.local_services import MOTO_CREDENTIALS

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": endpoint, "region_name": "us-east-1",
            "access_key": MOTO_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "secret_key": MOTO_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "default_acl": "private", "querystring_auth": True, "querystring_expire": 60,
            "file_overwrite": False,
        },
    }


@pytest.fixture
def s3_bucket(moto_endpoint, settings, request):
    """A new bucket on the moto server holding terms-kit's files for this test: its name, and
    a boto3 client to look at the objects from outside the application."""
    from scripts.local_services import MOTO_CREDENTIALS, create_bucket

    bucket = "terms-kit-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    for name, value in MOTO_CREDENTIALS.items():
        # create_bucket reads the environment; the storage gets them in its options.
        request.getfixturevalue("monkeypatch").setenv(name, value)
    client = create_bucket(moto_endpoint, bucket)
    settings.STORAGES = {**settings.STORAGES,
                         "terms_kit": s3_storage_settings(moto_endpoint, bucket)}
    return SimpleNamespace(client=client, name=bucket, endpoint=moto_endpoint)
