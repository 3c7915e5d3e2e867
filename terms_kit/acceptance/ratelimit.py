"""A small fixed-window rate limit on Django's cache, per client address (and link) and scope.

With the default local-memory cache the count is per process; production settings use a
shared cache (Redis) so it is per site. Limits: TERMS_KIT['RATE_LIMITS']. The client address
comes from TERMS_KIT['TRUSTED_PROXY_COUNT'] / ['TRUSTED_PROXIES'] (docs/configuration.md).
"""

import functools
import ipaddress
import time

from django.core.cache import caches

from ..conf import DEFAULTS, app_settings


def _ip(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The client's address: REMOTE_ADDR, unless it is a configured trusted proxy.

    X-Forwarded-For is written by whoever sends the request; only the entries added by our
    own proxies can be believed, so without configuration it is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(app_settings.TRUSTED_PROXY_COUNT or 0)
    networks = [ipaddress.ip_network(n, strict=False) for n in app_settings.TRUSTED_PROXIES]
    if not count and not networks:
        return remote
    forwarded = [_ip(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    if networks:
        if not _is_trusted(_ip(remote), networks):
            return remote  # a direct request: its own header is not believed
        for address in reversed(forwarded):
            if address is None:
                return remote  # garbage from before our proxies: do not guess
            if not _is_trusted(address, networks):
                return str(address)
        return remote
    # N proxies each append the address they received from: the client is N-th from the end.
    if len(forwarded) < count or forwarded[-count] is None:
        return remote
    return str(forwarded[-count])


def hit(scope, key, cache=None):
    """Count one request; True while within the limit for ``scope``."""
    cache = cache or caches["default"]
    # A project that overrides RATE_LIMITS keeps the default of any scope it leaves out.
    count, seconds = {**DEFAULTS["RATE_LIMITS"], **app_settings.RATE_LIMITS}[scope]
    window = int(time.time() // seconds)
    cache_key = f"terms_kit:rl:{scope}:{key}:{window}"
    if hasattr(cache, "incr_expiring"):  # production's Redis cache: one round trip
        used = cache.incr_expiring(cache_key, seconds + 5)
    else:
        used = _add_and_incr(cache, cache_key, seconds + 5)
    return used <= count


def _add_and_incr(cache, cache_key, timeout):
    # Any other Django cache (the local-memory one of development and tests).
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


def _too_many(request):
    from .views import error_page

    return error_page(request, 429)


def rate_limited(scope, methods=("POST",)):
    """View decorator, per client address: 429 with the client error page beyond the limit."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, client_ip(request)):
                return _too_many(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def link_rate_limited(scope, methods=("POST",)):
    """The same for the pages of a client link, placed under ``with_link``: counted only once
    the token is resolved (an unknown link is a 410 that counts nothing), per link and
    address, so nobody can use up the attempts of another link or another visitor."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, token, link, *args, **kwargs):
            key = f"link{link.pk}:{client_ip(request)}"
            if request.method in methods and not hit(scope, key):
                return _too_many(request)
            return view(request, token, link, *args, **kwargs)

        return wrapper

    return decorator
