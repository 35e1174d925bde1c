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
"""

from __future__ import annotations

import threading
from typing import Any

import redis


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
