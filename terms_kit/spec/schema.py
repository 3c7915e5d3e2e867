import json
from functools import cache
from pathlib import Path

SPEC_VERSION = 2
# Versions an import still reads: version 1 is version 2 without the optional fields it added
# (engagement.fee_agreement), so it validates against the same schema unchanged.
READABLE_VERSIONS = (1, 2)
SCHEMA_PATH = Path(__file__).parent / "schema" / f"engagement-spec-v{SPEC_VERSION}.json"


@cache
def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
