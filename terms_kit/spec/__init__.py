"""The versioned JSON engagement spec: the headless interface of terms-kit.

``export_engagement`` turns an engagement into a spec dict, ``import_spec`` creates a draft
engagement from one, and ``validate_spec`` lists what is wrong without touching the
database. The checker and the document generator read the same dict.
"""

from .exporting import export_engagement, to_json
from .importing import import_spec, validate_spec
from .schema import SPEC_VERSION, load_schema

__all__ = ["SPEC_VERSION", "export_engagement", "import_spec", "load_schema", "to_json",
           "validate_spec"]
