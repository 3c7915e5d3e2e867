"""Payment helpers that change no state: bank transfer details and their EPC QR code
(transfer.py), online provider backends (providers/), their webhooks (webhooks.py).

State changes only in ``services/payments.py`` and ``services/online_payments.py``.
"""
