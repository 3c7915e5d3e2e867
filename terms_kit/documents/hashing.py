"""SHA-256 of files and canonical JSON: the fingerprints stored with every issued document."""

import hashlib
import json


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def canonical_json(value):
    """One text for one value: sorted keys, no spaces, UTF-8 kept, Decimals as strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def json_sha256(value):
    return sha256(canonical_json(value).encode("utf-8"))
