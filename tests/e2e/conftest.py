"""What every browser test shares: Debian's Chromium driven by Playwright (headless), the
settings it needs beside Django's ORM, and where screenshots go.

- Every test here is skipped when /usr/bin/chromium is missing.
- ``browser``: a launched Chromium (each test opens its own contexts).
- ``shots``: the screenshot folder, $TERMS_KIT_SCREENSHOTS (docs/images to refresh the docs)
  or the test's tmp_path.
- The integration helpers (acceptance_helpers, stripe_helpers...) are importable.
"""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="needs Debian's chromium (/usr/bin/chromium)")
    for item in items:
        if Path(str(item.path)).resolve().parent == HERE:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def allow_sync_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser actions are plain synchronous calls. Set for these tests only: the
    # variable must not leak into later tests (the deploy check rightly refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        yield launched
        launched.close()
