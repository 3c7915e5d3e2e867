"""Production settings: every secret, host and service comes from the environment.

docs/deployment.md lists every variable (required ones first) and `scripts/serve` runs these
settings on one machine. A missing required variable stops the start with one message that
names all of them, so a deployment is fixed in one go rather than one crash at a time.
"""

import json
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import MIDDLEWARE, TERMS_KIT, VAR_DIR

REQUIRED = {
    "DJANGO_SECRET_KEY": "a long random string (never the one of another site)",
    "DJANGO_ALLOWED_HOSTS": "the site's host names, comma-separated",
    "DATABASE_URL": "the PostgreSQL database, postgres://USER:PASSWORD@HOST:5432/NAME",
    "TERMS_KIT_PUBLIC_BASE_URL": "the address clients reach, e.g. https://terms.example.fr",
    "TERMS_KIT_SEAL_CERTIFICATE": "PEM path of the seal certificate",
    "TERMS_KIT_SEAL_KEY": "PEM path of the seal certificate's key",
}


def missing_settings(environ):
    """Names (with what to put there) of the required variables ``environ`` lacks."""
    missing = [f"{name} ({what})" for name, what in REQUIRED.items()
               if not environ.get(name, "").strip()]
    # Documents and sealed packs must outlive a node: an S3 bucket, or (one node only) a folder.
    if not (environ.get("TERMS_KIT_S3_BUCKET", "").strip()
            or environ.get("TERMS_KIT_PRIVATE_ROOT", "").strip()):
        missing.append("TERMS_KIT_S3_BUCKET (the private bucket of documents and sealed packs; "
                       "or TERMS_KIT_PRIVATE_ROOT, a folder, for a single-node site)")
    if not (environ.get("DJANGO_EMAIL_HOST", "").strip()
            or environ.get("DJANGO_EMAIL_BACKEND", "").strip()):
        missing.append("DJANGO_EMAIL_HOST (the SMTP server that sends the clients' codes and "
                       "links; or DJANGO_EMAIL_BACKEND, a dotted path)")
    return missing


def flag(name, default):
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


_missing = missing_settings(os.environ)
if _missing:
    raise ImproperlyConfigured(
        "The production settings need these environment variables (docs/deployment.md):\n  "
        + "\n  ".join(_missing)
    )

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

# PostgreSQL, with connections kept open between requests (a new one costs ~2 ms and a
# round trip) and checked before reuse so a restarted database is reconnected transparently.
import dj_database_url  # noqa: E402

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = flag("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe the nodes over plain HTTP: the health endpoints answer there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Static files from the application itself (WhiteNoise): hashed names, gzip/brotli copies,
# far-future cache headers; `collectstatic` runs before the server starts (scripts/serve).
MIDDLEWARE = [
    MIDDLEWARE[0],  # SecurityMiddleware first: HTTPS redirect and headers cover static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", str(VAR_DIR / "static"))

# Shared by every process on every node: rate limits count per site, not per process.
CACHES = {
    "default": {
        # Django's RedisCache, keeping its redis-py client (wagtail_site/redis_cache.py).
        "BACKEND": "wagtail_site.redis_cache.ReusedClientRedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # A Redis that does not answer fails the request in a second instead of hanging it.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# Sessions in the database, read through the cache: no session is lost when Redis restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail: clients' codes and links, reminders, chain checkpoints (SMTP unless a backend is named).
EMAIL_BACKEND = (os.environ.get("DJANGO_EMAIL_BACKEND", "").strip()
                 or "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = flag("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
# For django.core.mail.backends.filebased.EmailBackend (bench/scale.py reads the codes there).
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH") or None
if os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip():
    DEFAULT_FROM_EMAIL = SERVER_EMAIL = os.environ["DJANGO_DEFAULT_FROM_EMAIL"].strip()

ADMINS = [("", address.strip()) for address in os.environ.get("DJANGO_ADMINS", "").split(",")
          if address.strip()]


def s3_storage(location, *, querystring_expire):
    """A private S3 location of the bucket (any S3-compatible service; credentials from
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the instance's role)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["TERMS_KIT_S3_BUCKET"],
            "endpoint_url": os.environ.get("TERMS_KIT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("TERMS_KIT_S3_REGION") or None,
            "location": location,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": querystring_expire,
            # Never replace an object: evidence is written once, a clash gets a new name.
            "file_overwrite": False,
        },
    }


STATICFILES = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
if os.environ.get("TERMS_KIT_S3_BUCKET", "").strip():
    STORAGES = {
        # Wagtail's images and documents: signed links (an hour) to the same private bucket.
        "default": s3_storage("media", querystring_expire=3600),
        # terms-kit streams its files itself after an owner or link check (terms_kit/storage.py).
        "terms_kit": s3_storage("", querystring_expire=60),
        "staticfiles": STATICFILES,
    }
    _private = {}
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": STATICFILES,
    }
    _private = {"PRIVATE_ROOT": os.environ["TERMS_KIT_PRIVATE_ROOT"]}

# Background work: the django-tasks database backend (rows taken with SELECT ... FOR UPDATE
# SKIP LOCKED, so any number of `manage.py db_worker` processes on any node share the queue).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

if os.environ.get("TERMS_KIT_GOTENBERG_URL", "").strip():
    _converter = {
        "PDF_CONVERTER": "terms_kit.documents.converters.gotenberg.GotenbergConverter",
        "PDF_CONVERTER_OPTIONS": {"url": os.environ["TERMS_KIT_GOTENBERG_URL"].strip()},
    }
else:
    # The warm LibreOffice pool inside each task worker: one converter per worker by default
    # (scripts/serve starts one worker per core, so one LibreOffice per core).
    _converter = {
        "PDF_CONVERTER_OPTIONS": {
            "size": int(os.environ.get("TERMS_KIT_CONVERTER_POOL_SIZE", "1")),
        },
    }

TERMS_KIT = {
    **TERMS_KIT,
    **_private,
    **_converter,
    "PUBLIC_BASE_URL": os.environ["TERMS_KIT_PUBLIC_BASE_URL"],
    "TRUSTED_PROXY_COUNT": int(os.environ.get("TERMS_KIT_TRUSTED_PROXY_COUNT", "1")),
    "SEAL_CERTIFICATE": os.environ["TERMS_KIT_SEAL_CERTIFICATE"],
    "SEAL_KEY": os.environ["TERMS_KIT_SEAL_KEY"],
    "SEAL_KEY_PASSPHRASE": os.environ.get("TERMS_KIT_SEAL_KEY_PASSPHRASE") or None,
    # {"scope": [count, seconds]} as JSON, merged over the defaults (docs/configuration.md).
    "RATE_LIMITS": {**TERMS_KIT.get("RATE_LIMITS", {}),
                    **{scope: tuple(limit) for scope, limit in
                       json.loads(os.environ.get("TERMS_KIT_RATE_LIMITS") or "{}").items()}},
    "HEALTH_MAX_QUEUE_LAG": int(os.environ.get("TERMS_KIT_HEALTH_MAX_QUEUE_LAG", "300")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
