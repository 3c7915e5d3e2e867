"""docs/compliance.md is generated from the rule registry and the figures: keep it current."""

from pathlib import Path

from terms_kit.compliance import RULES
from terms_kit.compliance.doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"


def test_rule_table_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/compliance.md is out of date: run "
        "`python manage.py termskit rules-doc --write docs/compliance.md`"
    )


def test_rule_table_lists_every_rule_once():
    text = render()
    for rule_id in RULES:
        assert text.count(f"| `{rule_id}` |") == 1
