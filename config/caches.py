"""One pool of Redis connections per server process for Django's cache.

Django makes a cache object per request context, and its Redis cache makes its own
connection pool: so every page that touched the cache (a rate limit, a session)
opened a new connection to Redis, with the client's greeting and its version
read from the installed package's metadata, and left it for the garbage
collector. In a support storm that was an eighth of a server process's time
(py-spy, bench/support_storm.py). Here the pools are kept per process, keyed by
address and options, so every request borrows a connection already open. When
all of a pool's connections are out (100 by default), a request waits for one to
come back rather than failing as redis-py's plain pool does.

Django's Redis cache also makes a new redis-py client object for every command (a
rate limit's count, a session's write), and making one builds its table of reply
parsers: 7 % of a support's CPU in process. `SharedRedisCache` hands out one client
per shared pool instead; redis-py's clients are safe to share between threads, as
each command borrows a connection from the pool.
"""

from __future__ import annotations

import threading
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedConnectionPool(redis.BlockingConnectionPool):
    """`pool_class` for django.core.cache.backends.redis.RedisCache: one pool per address."""

    _pools: dict[str, redis.BlockingConnectionPool] = {}
    _pools_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("max_connections", 100)
        key = repr((url, sorted(kwargs.items())))
        with cls._pools_lock:
            pool = cls._pools.get(key)
            if pool is None:
                # redis-py's pool is thread-safe, and after a fork it starts afresh.
                pool = cls._pools[key] = super().from_url(url, **kwargs)
        return pool

    def client(self, make: Any) -> Any:
        """The one redis-py client of this pool, made by `make` the first time."""
        kept = self.__dict__.get("_kept_client")
        if kept is None:
            with self._pools_lock:
                kept = self.__dict__.setdefault("_kept_client", make(connection_pool=self))
        return kept


class _KeptClients(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # its pools and redis-py's class are not in the stubs
        pool = django_client._get_connection_pool(write)
        if isinstance(pool, SharedConnectionPool):
            return pool.client(django_client._client)
        return super().get_client(key, write=write)


class SharedRedisCache(RedisCache):
    """Django's Redis cache whose client objects, like its pools, are kept per process."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _KeptClients
