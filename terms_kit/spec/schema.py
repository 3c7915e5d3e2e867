import json
from functools import cache
from pathlib import Path

SPEC_VERSION = 2
# Older versions still read: validated against their own schema, then upgraded (importing.py).
READABLE_VERSIONS = (1, 2)
SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / f"engagement-spec-v{SPEC_VERSION}.json"


@cache
def load_schema(version=SPEC_VERSION):
    path = SCHEMA_DIR / f"engagement-spec-v{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))
