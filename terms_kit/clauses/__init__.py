"""The starter clause library shipped with terms-kit (``starter_clauses.json``)."""
