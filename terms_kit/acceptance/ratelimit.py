"""A small fixed-window rate limit on Django's cache, per client IP address and scope.

No extra service: with the default local-memory cache the count is per process, with a
shared cache (Redis, Memcached, database) it is per site. Limits: TERMS_KIT['RATE_LIMITS'].
"""

import functools
import time

from django.core.cache import cache

from ..conf import DEFAULTS, app_settings


def client_ip(request):
    # REMOTE_ADDR only: a forwarded header is set by whoever sends the request. Behind a
    # proxy, set REMOTE_ADDR from the proxy's header in the proxy or a middleware you trust.
    return request.META.get("REMOTE_ADDR", "")


def hit(scope, key):
    """Count one request; True while within the limit for ``scope``."""
    # A project that overrides RATE_LIMITS keeps the default of any scope it leaves out.
    count, seconds = {**DEFAULTS["RATE_LIMITS"], **app_settings.RATE_LIMITS}[scope]
    window = int(time.time() // seconds)
    cache_key = f"terms_kit:rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=seconds + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds + 5)
        used = 1
    return used <= count


def rate_limited(scope, methods=("POST",)):
    """View decorator: answer 429 with the client error page once the limit is reached."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, client_ip(request)):
                from .views import error_page

                return error_page(request, 429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
