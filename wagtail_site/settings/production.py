"""Production settings: every secret and host comes from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS (comma-separated), DATABASE_URL,
TERMS_KIT_PUBLIC_BASE_URL (e.g. https://terms.example.fr), TERMS_KIT_SEAL_CERTIFICATE and
TERMS_KIT_SEAL_KEY (PEM paths of the seal certificate and key); optional:
TERMS_KIT_SEAL_KEY_PASSPHRASE; REDIS_URL (the shared cache, default
redis://127.0.0.1:6379/0); TERMS_KIT_TRUSTED_PROXY_COUNT (reverse proxies in front of Django
that append to X-Forwarded-For, default 1: the TLS proxy these settings assume);
DJANGO_ADMINS (comma-separated addresses that receive errors and the chain checkpoints).
"""

import os

from .base import *  # noqa: F401,F403
from .base import TERMS_KIT

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Shared by every worker process: rate limits count per site, not per process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
}
ADMINS = [("", address.strip()) for address in os.environ.get("DJANGO_ADMINS", "").split(",")
          if address.strip()]

TERMS_KIT = {
    **TERMS_KIT,
    "PUBLIC_BASE_URL": os.environ["TERMS_KIT_PUBLIC_BASE_URL"],
    "TRUSTED_PROXY_COUNT": int(os.environ.get("TERMS_KIT_TRUSTED_PROXY_COUNT", "1")),
    "SEAL_CERTIFICATE": os.environ["TERMS_KIT_SEAL_CERTIFICATE"],
    "SEAL_KEY": os.environ["TERMS_KIT_SEAL_KEY"],
    "SEAL_KEY_PASSPHRASE": os.environ.get("TERMS_KIT_SEAL_KEY_PASSPHRASE"),
}
