"""The project's own health: migrations up to date, system checks clean, deploy settings safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass(sealed_settings):
    call_command("check", fail_level="WARNING")


def test_production_settings_pass_the_deploy_checks(seal_files):
    certificate, key = seal_files
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value-0123456789",
        "DJANGO_ALLOWED_HOSTS": "terms-kit.example",
        "TERMS_KIT_PUBLIC_BASE_URL": "https://terms-kit.example",
        "TERMS_KIT_SEAL_CERTIFICATE": str(certificate),
        "TERMS_KIT_SEAL_KEY": str(key),
        "DATABASE_URL": "postgres://termskit:password@db.internal:5432/termskit",
        "TERMS_KIT_S3_BUCKET": "terms-kit-private",
        "DJANGO_EMAIL_HOST": "smtp.example.fr",
        "TERMS_KIT_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
