"""Content-Security-Policy of the client and verification pages (Django 5.2 has none built in).

The pages carry no inline script or style (terms_kit/static/terms_kit/client.*): the policy
allows only this site's own files, so text an expert typed (a quote line, a title) can never
run as script in a client's browser even if an escaping bug let markup through.
"""

import functools


def _policy(form_targets=()):
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        " ".join(["form-action 'self'", *form_targets]),
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ])


POLICY = _policy()


def current_policy():
    """POLICY, plus the payment provider's checkout pages when online payment is on: the pay
    button's POST is answered with a redirect there, which form-action also governs."""
    from ..payments.providers import get_provider

    try:
        provider = get_provider()
    except Exception:  # a misconfigured provider is the system check's business (E020)
        provider = None
    return _policy(provider.checkout_origins()) if provider else POLICY


def content_security_policy(view):
    """View decorator: the client pages' policy on every answer, error pages included."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", current_policy())
        return response

    return wrapper
