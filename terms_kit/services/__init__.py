"""Use cases: the only code that changes state. Each function is one atomic step."""
