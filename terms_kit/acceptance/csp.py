"""Content-Security-Policy of the client and verification pages (Django 5.2 has none built in).

The pages carry no inline script or style (terms_kit/static/terms_kit/client.*): the policy
allows only this site's own files, so text an expert typed (a quote line, a title) can never
run as script in a client's browser even if an escaping bug let markup through.
"""

import functools

POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


def content_security_policy(view):
    """View decorator: the client pages' policy on every answer, error pages included."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    return wrapper
