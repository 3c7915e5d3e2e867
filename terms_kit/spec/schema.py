import json
from functools import cache
from pathlib import Path

SPEC_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / f"engagement-spec-v{SPEC_VERSION}.json"


@cache
def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
