"""axe-core in Playwright: inject it into a page and list its serious and critical findings.

axe-core comes from npm (package.json at the repository root, installed by
scripts/lib.sh ``install_node_packages``, which scripts/test runs). Where it is missing the
accessibility tests skip on a developer's machine, and fail when TERMS_KIT_REQUIRE_AXE or CI
is set (scripts/test sets the first): CI never passes without having run them.

Usage, in a browser test::

    from accessibility import assert_accessible
    page.goto(url)
    assert_accessible(page, "offer page")
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("TERMS_KIT_AXE_PATH") or ROOT / "node_modules/axe-core/axe.min.js")
IMPACTS = ("serious", "critical")
# The rules axe runs: WCAG 2.1 A and AA, plus its best practices (landmarks, headings...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source():
    """The text of axe.min.js; skip (or fail under CI) when it is not installed."""
    if AXE.is_file():
        return AXE.read_text(encoding="utf-8")
    message = (f"axe-core is not installed ({AXE} missing): run `npm ci` at the repository "
               "root (scripts/test does it)")
    if os.environ.get("TERMS_KIT_REQUIRE_AXE") or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page, impacts=IMPACTS):
    """axe's violations of ``impacts`` on the page as it is now, as readable lines.

    The script is evaluated through the DevTools protocol, which the client pages' CSP does
    not govern (a <script> tag would rightly be refused by it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})", TAGS)
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in impacts:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        found.append(f"{violation['impact']} {violation['id']}: {violation['help']} "
                     f"({len(violation['nodes'])}x: {targets})")
    return found


def assert_accessible(page, label, impacts=IMPACTS):
    """Fail with every serious or critical axe finding of the page, named by ``label``."""
    found = axe_violations(page, impacts)
    assert not found, f"{label} ({page.url}):\n  " + "\n  ".join(found)
