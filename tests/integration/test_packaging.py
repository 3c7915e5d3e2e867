"""The package as a release ships it: what the built wheel holds, and the shipped templates.

An installed terms-kit (a wheel, not a checkout) must find every file it reads at run time;
scripts/check-installation then installs that wheel into a stock Wagtail project.
"""

import importlib.util
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        # sdist first, then the wheel built from that sdist: a file the sdist forgets fails too
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [path] = out.glob("terms_kit-*.whl")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        [metadata_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    return names, metadata


def tracked_package_files():
    listed = subprocess.run(["git", "ls-files", "terms_kit"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    return {name for name in listed if (ROOT / name).is_file()}


def test_the_wheel_holds_every_file_of_the_package(wheel):
    names, _metadata = wheel
    tracked = tracked_package_files()
    assert tracked, "git ls-files found nothing: run from a checkout"
    assert sorted(tracked - names) == []


@pytest.mark.parametrize("needed", [
    "terms_kit/doc_templates/quote_fr.docx",
    "terms_kit/doc_templates/final_invoice_en.docx",
    "terms_kit/documents/sample_spec.json",
    "terms_kit/spec/schema/engagement-spec-v2.json",
    "terms_kit/compliance/params/fr.yaml",
    "terms_kit/templates/terms_kit/client/review.html",
    "terms_kit/static/terms_kit/wizard.js",
    "terms_kit/locale/fr/LC_MESSAGES/django.mo",
    "terms_kit/migrations/0001_initial.py",
])
def test_run_time_files_are_in_the_wheel(wheel, needed):
    assert needed in wheel[0]


def test_the_wheel_carries_the_licence_and_nothing_of_the_demo(wheel):
    names, metadata = wheel
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert not [n for n in names if n.startswith(("wagtail_site/", "tests/", "bench/"))]


def test_optional_parts_are_extras_only(wheel):
    _names, metadata = wheel
    requires = metadata.get_all("Requires-Dist")
    unconditional = [r for r in requires if "extra ==" not in r]
    for optional in ("django-tasks-db", "django-storages", "psycopg", "stripe", "pytest",
                     "playwright", "build"):
        assert not [r for r in unconditional if r.lower().startswith(optional)], optional
    extras = set(metadata.get_all("Provides-Extra"))
    assert {"postgres", "tasks-db", "s3"} <= extras


def test_rebuilding_the_default_templates_gives_the_shipped_bytes(tmp_path):
    source = ROOT / "terms_kit" / "doc_templates"
    spec = importlib.util.spec_from_file_location("doc_templates_build", source / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    written = build.build_all(tmp_path)
    # Every shipped template is rebuilt, and nothing else is written.
    assert sorted(p.name for p in written) == sorted(p.name for p in source.glob("*.docx"))
    for path in written:
        assert path.read_bytes() == (source / path.name).read_bytes(), path.name
