from django.dispatch import Signal

# Sent after the transaction that changed an engagement's status has committed.
# Arguments: engagement, from_status, to_status, change (the StatusChange row).
engagement_status_changed = Signal()

# Sent after the transaction that handled a provider's webhook event has committed (once per
# event, never for a redelivery). Arguments: provider (name), event (PaymentEvent),
# checkout (OnlineCheckout or None), outcome (a short text: what the event changed).
payment_event_handled = Signal()

# Sent after the commit of the transaction in which the work may start for the first time (the
# client accepted and what is due upfront is paid or secured). Argument: engagement.
work_may_start = Signal()
