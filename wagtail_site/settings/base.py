"""Settings shared by every environment of the demo site."""

import os
from pathlib import Path


BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TERMS_KIT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "wagtail_site.home",
    "terms_kit",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Terms and offer pages from the shared cache, before Wagtail routes (terms_kit/pages/cache.py).
    "terms_kit.pages.cache.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "wagtail_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wagtail_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail_site.home.context.site_menu",
            ],
        },
    },
]

WSGI_APPLICATION = "wagtail_site.wsgi.application"


def database_from_env(default_sqlite_path):
    """SQLite by default; DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) otherwise."""
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return dj_database_url.parse(url, conn_max_age=60)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}


DATABASES = {"default": database_from_env(VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

WAGTAIL_SITE_NAME = "terms-kit demo"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# Background work (PDF conversion) runs in `manage.py db_worker`, never in a web request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The demo seals signed packs with a self-signed certificate made by
# `manage.py termskit make-seal-certificate --out var/seal` (scripts/lib.sh does it).
TERMS_KIT = {
    # Issued documents, sealed packs and expert templates: a folder with no URL (not MEDIA_ROOT).
    "PRIVATE_ROOT": VAR_DIR / "private",
    # Start of the links in client e-mails.
    "PUBLIC_BASE_URL": os.environ.get("TERMS_KIT_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
    "SEAL_CERTIFICATE": str(VAR_DIR / "seal" / "seal-cert.pem"),
    "SEAL_KEY": str(VAR_DIR / "seal" / "seal-key.pem"),
    # Each acceptance or withdrawal queues `termskit checkpoint` once committed (run by
    # `manage.py db_worker`); production also runs it from cron (docs/security.md).
    "CHECKPOINT_AFTER_ACCEPTANCE": True,
}
# The client pages answer a CSRF failure with their own plain page (no technical detail).
CSRF_FAILURE_VIEW = "terms_kit.acceptance.views.csrf_failure"

