from django.dispatch import Signal

# Sent after the transaction that changed an engagement's status has committed.
# Arguments: engagement, from_status, to_status, change (the StatusChange row).
engagement_status_changed = Signal()
