"""Django's Redis cache backend, with one redis-py client per connection pool instead of a new
one for every cache call.

Django builds a ``redis.Redis`` around the pool on each get, set or incr; building one fills
its table of ~170 response callbacks, which cost more CPU than the round trip it wraps (a
client page makes three or four cache calls). A redis-py client over a pool is thread-safe
and follows forks (the pool reconnects in a new process), so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _OneClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
