"""Reactions of the payments service to changes made by others (connected in apps)."""

from django.db import transaction

from ..status import Status


def on_status_changed(sender, engagement, from_status, to_status, change, **kwargs):
    if to_status in (Status.WITHDRAWN, Status.CANCELLED):
        from ..services.payments import cancel_open_instalments

        cancel_open_instalments(engagement)


def on_client_saved(sender, instance, created, **kwargs):
    """A client's details were edited (e.g. its SIREN filled in): the invoices that waited
    for them are issued after the commit (services/payments.issue_waiting_invoices). A new
    client has received no money, so nothing waits on it."""
    if created:
        return
    from ..services.payments import issue_waiting_invoices_of_client

    client_id = instance.pk
    transaction.on_commit(lambda: issue_waiting_invoices_of_client(client_id))
