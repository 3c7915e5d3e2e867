"""docs/installation.md and scripts/check-installation stay in lockstep with the code.

The script applies the doc's code blocks itself (bash scripts/test runs it); these fast checks
catch a block it could not apply, a TERMS_KIT key or a system check the doc does not list.
"""

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from terms_kit.conf import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "installation.md").read_text(encoding="utf-8")


def script():
    loader = importlib.machinery.SourceFileLoader(
        "check_installation", str(ROOT / "scripts" / "check-installation"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_every_code_block_of_the_doc_is_applied_or_explicitly_skipped():
    steps = script().parse(DOC)
    actions = [step.action for step in steps]
    # The essential steps are executed, not skipped: install, settings, URLs, migrate,
    # the worker, the checks.
    assert "pip install" in next(s.body for s in steps if s.action == "run" and "pip" in s.body)
    assert actions.count("append") >= 2 and "insert-after" in actions
    assert "background" in actions and "permissions" in actions
    assert any("migrate" in s.body for s in steps if s.action == "run")
    assert any("check --fail-level WARNING" in s.body for s in steps if s.action == "run")
    skipped = [s for s in steps if s.action == "skip"]
    assert all(s.args for s in skipped), "say why a block is skipped"


def test_an_unmarked_code_block_fails_the_script():
    module = script()
    text = DOC + "\n```sh\npython manage.py something_new\n```\n"
    try:
        module.parse(text)
    except SystemExit as exc:
        assert "directives" in str(exc)
    else:
        raise AssertionError("an unmarked block went unnoticed")


def test_every_terms_kit_setting_is_in_the_settings_reference():
    missing = [key for key in DEFAULTS if f"| `{key}` |" not in DOC]
    assert missing == []


def test_every_system_check_is_in_the_list():
    source = (ROOT / "terms_kit" / "checks.py").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="(terms_kit\.[EW]\d{3})"', source))
    assert ids, "no check ids found"
    listed = set(re.findall(r"\| `(terms_kit\.[EW]\d{3})` \|", DOC))
    assert listed == ids


@pytest.mark.django_db
def test_the_permissions_block_names_real_permissions():
    from django.contrib.auth.models import Permission

    module = script()
    [block] = [s for s in module.parse(DOC) if s.action == "permissions"]
    for dotted in module.permissions(block):
        app_label, codename = dotted.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label,
                                         codename=codename).exists(), dotted
    # Every terms-kit model an expert edits in the admin menu is in it, templates included.
    for model in ("businessidentity", "client", "engagement", "termsversion", "experttemplate",
                  "dunningladder", "remindertemplate", "dunningaction", "clause"):
        assert f"terms_kit.change_{model}" in module.permissions(block)


def test_docs_never_tell_a_host_to_install_the_development_lock():
    for page in ("docs/installation.md", "README.md", "docs/configuration.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "pip install -r requirements.lock" not in text, page


def test_terms_kit_never_imports_the_optional_task_backend_at_load():
    # A host may use another task backend and not install django-tasks-db. Only /readyz reads
    # its queue, inside the probe and only when it is the configured backend.
    sources = (ROOT / "terms_kit").rglob("*.py")
    at_load = [str(p.relative_to(ROOT)) for p in sources
               if re.search(r"^(from|import) django_tasks_db", p.read_text(), re.M)]
    assert at_load == []
    inside = [str(p.relative_to(ROOT)) for p in (ROOT / "terms_kit").rglob("*.py")
              if re.search(r"^\s+(from|import) django_tasks_db", p.read_text(), re.M)]
    assert inside == ["terms_kit/health/probes.py"]


def test_heavy_optional_packages_load_only_when_configured():
    """A site that configures no S3 storage or payment provider never imports their SDKs."""
    code = (
        "import sys, django; django.setup()\n"
        "from django.core.checks import run_checks\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns; run_checks()\n"
        "from terms_kit.storage import private_storage; private_storage.exists('x')\n"
        "loaded = [m for m in ('boto3', 'botocore', 'storages', 'stripe') if m in sys.modules]\n"
        "print(loaded); sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ,
                                 "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.test"})
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
