"""Reactions of the payments service to status changes made by others (connected in apps)."""

from ..status import Status


def on_status_changed(sender, engagement, from_status, to_status, change, **kwargs):
    if to_status in (Status.WITHDRAWN, Status.CANCELLED):
        from ..services.payments import cancel_open_instalments

        cancel_open_instalments(engagement)
