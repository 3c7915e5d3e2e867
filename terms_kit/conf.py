"""The app's settings, read lazily from the single ``TERMS_KIT`` dict.

Every key has a documented default (docs/configuration.md). Reading happens on each access,
so ``override_settings`` in tests and late configuration in a host project both work.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS = {
    # Prefix of engagement (quote) numbers: "D-2026-0001".
    "QUOTE_NUMBER_PREFIX": "D",
    # Folder of terms-kit's private files (issued documents, sealed packs, expert templates)
    # when STORAGES has no "terms_kit" alias. Outside MEDIA_ROOT and STATIC_ROOT: no URL.
    "PRIVATE_ROOT": None,
    # Prefixes of invoice, credit note and payment receipt numbers: "F-2026-0001",
    # "AV-2026-0001", "R-2026-0001". Each series is continuous on its own (docs/payments.md).
    "INVOICE_NUMBER_PREFIX": "F",
    "CREDIT_NOTE_NUMBER_PREFIX": "AV",
    "RECEIPT_NUMBER_PREFIX": "R",
    # Prefix of formal notice (mise en demeure) numbers: "MED-2026-0001" (docs/dunning.md).
    "FORMAL_NOTICE_NUMBER_PREFIX": "MED",
    # Prefix of instalment plan (échéancier) numbers: "ECH-2026-0001" (docs/dunning.md).
    "PLAN_NUMBER_PREFIX": "ECH",
    # Digits of the yearly sequence in a number (zero-padded).
    "NUMBER_DIGITS": 4,
    # Currency of every amount. Only EUR is supported for now (French law, France first).
    "CURRENCY": "EUR",
    # A YAML file of figures (rates, thresholds) added to those shipped in
    # terms_kit/compliance/params/fr.yaml, same format: add a half-year's legal interest rate
    # without waiting for a terms-kit release. None: the shipped figures only.
    "COMPLIANCE_EXTRA_FIGURES": None,
    # Documents (docs/documents.md). One DOCX per "<kind>_<lang>" key, e.g.
    # {"quote_fr": "/srv/templates/my_quote.docx"}: replaces that default template.
    "DOCUMENT_TEMPLATES": {},
    # Folders searched, in order, for "<kind>_<lang>.docx" before the default folder.
    "DOCUMENT_TEMPLATE_DIRS": (),
    # The default templates' folder; None means the doc_templates/ folder inside the terms_kit package.
    "DEFAULT_TEMPLATE_DIR": None,
    # Dotted path of the PDF converter backend and its options (documents/converters/).
    "PDF_CONVERTER": "terms_kit.documents.converters.pool.LibreOfficePool",
    "PDF_CONVERTER_OPTIONS": {},
    # Rules an invoice's Factur-X XML must pass before its document is made
    # (docs/einvoicing.md): "full" (XSD + EN 16931 + French BR-FR schematrons), "en16931"
    # (XSD + EN 16931), "xsd" (the XSD only).
    "EINVOICE_VALIDATION": "full",
    # Client acceptance (docs/configuration.md). Days a client link stays valid.
    "CLIENT_LINK_DAYS": 30,
    # Minutes a one-time e-mail code stays valid, and wrong tries before it is spent.
    "EMAIL_CODE_MINUTES": 15,
    "EMAIL_CODE_MAX_ATTEMPTS": 5,
    # Start of the links in client e-mails, e.g. "https://terms.example.fr". None: the address
    # of the admin request that sends, else WAGTAILADMIN_BASE_URL (a check warns when unset).
    "PUBLIC_BASE_URL": None,
    # Sender of client e-mails; None: DEFAULT_FROM_EMAIL.
    "FROM_EMAIL": None,
    # The platform certificate that seals signed packs (PAdES): PEM paths and key passphrase.
    # The demo makes a self-signed one with `manage.py termskit make-seal-certificate`.
    "SEAL_CERTIFICATE": None,
    "SEAL_KEY": None,
    "SEAL_KEY_PASSPHRASE": None,
    # The client's address for rate limits and evidence. Default: REMOTE_ADDR, and any
    # X-Forwarded-For header is ignored (anyone can send one). Behind reverse proxies, either
    # the number of proxies in front of Django that append to X-Forwarded-For (1 for one
    # nginx), or the proxies' addresses/networks (X-Forwarded-For is read only for requests
    # from them, right to left, up to the first address that is not a proxy).
    "TRUSTED_PROXY_COUNT": 0,
    "TRUSTED_PROXIES": (),
    # Largest PDF the public verification page reads; the upload stops there.
    "VERIFY_MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    # Chain checkpoints (`termskit checkpoint`): addresses e-mailed besides settings.ADMINS,
    # and whether each acceptance or withdrawal queues one once committed (the demo does).
    "CHECKPOINT_EMAILS": (),
    "CHECKPOINT_AFTER_ACCEPTANCE": False,
    # Payments (docs/payments.md). Days to pay an invoice when the terms name no payment term
    # (a consumer's invoice is due on receipt: 0).
    "DEFAULT_DUE_DAYS": 0,
    # Requests allowed per client IP address (and per link for the link's pages):
    # {scope: (count, seconds)}, counted in the cache.
    "RATE_LIMITS": {
        "client": (120, 600),
        "code": (5, 600),
        "accept": (20, 600),
        "verify": (20, 600),
        "pay": (20, 600),
        "offer": (10, 600),
    },
    # Online payment (docs/payments.md, "Stripe"). Dotted path of the provider backend, e.g.
    # "terms_kit.payments.providers.stripe.StripeProvider"; None: no online payment (the
    # client page shows the bank transfer details only).
    "PAYMENT_PROVIDER": None,
    # Keyword arguments of the backend. Stripe: {"secret_key": "sk_...", "webhook_secret":
    # "whsec_...", "api_base": None (Stripe's own address)}.
    "PAYMENT_PROVIDER_OPTIONS": {},
    # Readiness (/readyz, docs/deployment.md): seconds the oldest task waiting in the queue may
    # have waited before /readyz reports the queue as late (workers stopped or overloaded);
    # it fails readiness only at /readyz?queue=1, never a web node's plain /readyz.
    "HEALTH_MAX_QUEUE_LAG": 300,
    # Hours before a card hold expires at which the expert is warned to capture or release it.
    "HOLD_WARNING_HOURS": 24,
}


class _Settings:
    def _user_settings(self):
        value = getattr(settings, "TERMS_KIT", {})
        if not isinstance(value, dict):
            raise ImproperlyConfigured("TERMS_KIT must be a dict of terms-kit settings.")
        return value

    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"terms-kit has no setting named {name!r}")
        return self._user_settings().get(name, DEFAULTS[name])

    def unknown_keys(self):
        return sorted(set(self._user_settings()) - set(DEFAULTS))


app_settings = _Settings()
