"""Payment helpers that change no state: bank transfer details and their EPC QR code.

Provider backends (Stripe...) live in ``payments/providers/``; state changes only in
``services/payments.py``.
"""
