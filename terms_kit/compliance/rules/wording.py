"""Helpers for the few rules that look at free text.

Free-text checks can only guess (a clause may be phrased in many ways), so the rules that
use them are warnings, never errors: a heuristic must not block sending.
"""

import re


def mentions(text, *patterns):
    """True when ``text`` matches one of the regular expressions (case-insensitive)."""
    return any(re.search(pattern, text or "", re.IGNORECASE) for pattern in patterns)


def first_mention(texts, *patterns):
    """The field of the first (field, text) pair that matches, or None."""
    for field, text in texts:
        if mentions(text, *patterns):
            return field
    return None
