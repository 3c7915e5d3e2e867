"""Test settings: SQLite in memory, or PostgreSQL when DATABASE_URL is set."""

import os

from .base import *  # noqa: F401,F403
from .base import database_from_env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": database_from_env(":memory:")}
# Several checkouts on one machine can test against one PostgreSQL: give each its own name.
# (PostgreSQL only: SQLite tests use an in-memory database.)
if os.environ.get("TERMS_KIT_TEST_DB_NAME") and "sqlite" not in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TERMS_KIT_TEST_DB_NAME"]}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "terms_kit": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"  # assertions read English; French is tested explicitly
# Tasks run inline in tests (the database backend needs a running db_worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Warm LibreOffice pool of one worker: tests convert real documents without starving the machine.
TERMS_KIT = {"PDF_CONVERTER_OPTIONS": {"size": 1}, "PUBLIC_BASE_URL": "http://testserver"}
