"""Small helpers shared by the compliance tests."""

import re


def set_path(spec, path, value):
    """Set ``value`` at a dotted spec path such as ``engagement.lines[0].vat_rate``."""
    keys = []
    for part in path.split("."):
        match = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        keys += [match.group(1), int(match.group(2))] if match else [part]
    target = spec
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def edited(spec, changes):
    """``spec`` with ``changes`` ({dotted path: value}) applied."""
    for path, value in (changes or {}).items():
        set_path(spec, path, value)
    return spec


def ids(findings):
    return {finding.rule_id for finding in findings}
