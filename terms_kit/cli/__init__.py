"""Subcommands of ``manage.py termskit``: one module each, listed in SUBCOMMANDS.

A subcommand module has ``HELP`` (one line), ``add_arguments(parser)`` and
``run(command, options)``, where ``command`` is the Django command (for ``stdout``/``style``).
It raises ``CommandError`` with a message for a person when it cannot do its work.
"""

from . import (
    card_holds,
    check_spec,
    checkpoint,
    clauses,
    dunning,
    einvoice,
    experts_group,
    export_spec,
    generate,
    import_spec,
    interest,
    ledger,
    lint_template,
    pay,
    payments_sweep,
    requeue_stalled,
    rules_doc,
    seal_certificate,
    send,
    verify,
)

SUBCOMMANDS = {
    "check": check_spec,
    "export": export_spec,
    "import": import_spec,
    "generate": generate,
    "lint-template": lint_template,
    "rules-doc": rules_doc,
    "send": send,
    "verify": verify,
    "checkpoint": checkpoint,
    "make-seal-certificate": seal_certificate,
    "experts-group": experts_group,
    "card-holds": card_holds,
    "ledger": ledger,
    "pay": pay,
    "payments": payments_sweep,
    "interest": interest,
    "dunning": dunning,
    "clauses": clauses,
    "einvoice": einvoice,
    "requeue-stalled": requeue_stalled,
}
