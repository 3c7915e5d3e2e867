"""Client-facing pages: review, e-mail code, consents and signature, downloads, withdrawal."""
