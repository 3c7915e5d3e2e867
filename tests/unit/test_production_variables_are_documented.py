"""Every environment variable the production run reads (the settings, gunicorn's
configuration, scripts/serve) is named in docs/deployment.md. Read from the code, so a new
variable without its line in the docs fails here. (A start without the required ones is
refused naming each: test_health.py::
test_production_settings_name_every_missing_variable_at_once.)"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_SOURCES = ["wagtail_site/settings/base.py", "wagtail_site/settings/production.py",
                  "wagtail_site/gunicorn_conf.py"]
# Variables of the development and test runs only, never read by a production node.
NOT_PRODUCTION = {"TERMS_KIT_TEST_DB_NAME"}


def read_by_python():
    names = set()
    pattern = re.compile(r'(?:environ(?:\.get)?\s*[\[(]|flag\()\s*"([A-Z][A-Z0-9_]+)"')
    for source in PYTHON_SOURCES:
        names |= set(pattern.findall((ROOT / source).read_text(encoding="utf-8")))
    return names


def read_by_serve():
    text = (ROOT / "scripts/serve").read_text(encoding="utf-8")
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", text)) | set(
        re.findall(r"local_default ([A-Z][A-Z0-9_]+)", text))


def test_every_variable_read_in_production_is_in_the_deployment_doc():
    doc = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    names = (read_by_python() | read_by_serve()) - NOT_PRODUCTION
    # The pattern found the well-known ones (a broken pattern must not pass empty).
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY",
            "TERMS_KIT_TASK_WORKERS", "DJANGO_SECURE_SSL_REDIRECT"} <= names
    undocumented = sorted(name for name in names if f"`{name}`" not in doc)
    assert not undocumented, f"not in docs/deployment.md: {undocumented}"

