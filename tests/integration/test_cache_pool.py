"""Requests share the process's Redis connections for the cache instead of opening their own."""

from __future__ import annotations

import threading

import pytest
import redis

from config.caches import SharedConnectionPool, SharedRedisCache

pytestmark = pytest.mark.services


def _cache(url: str) -> SharedRedisCache:
    # As Django makes one for each request's context, from the settings.
    return SharedRedisCache(url, {"OPTIONS": {"pool_class": "config.caches.SharedConnectionPool"}})


def test_a_thousand_requests_use_a_few_connections_not_a_thousand(redis_url: str) -> None:
    watcher = redis.Redis.from_url(redis_url)
    before = len(watcher.client_list())

    def request(n: int) -> None:
        cache = _cache(redis_url)
        cache.add(f"support:address:{n % 7}", 0, 60)
        cache.incr(f"support:address:{n % 7}")

    threads = [threading.Thread(target=request, args=(n,)) for n in range(1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    counted = sum(int(_cache(redis_url).get(f"support:address:{n}") or 0) for n in range(7))
    assert counted == 1000
    # Each request's cache object borrowed from the one pool: its connections stay open
    # for the next requests, at most one per request running at the same time.
    opened = len(watcher.client_list()) - before
    assert 1 <= opened <= 100
    pools = [_cache(redis_url)._cache._get_connection_pool(True) for _ in range(2)]  # type: ignore[attr-defined]
    assert pools[0] is pools[1]
    # And the same redis-py client, not one made (with its table of replies) per command.
    clients = [_cache(redis_url)._cache.get_client(write=True) for _ in range(2)]  # type: ignore[attr-defined]
    assert clients[0] is clients[1]
    watcher.close()


def test_pools_of_other_addresses_stay_apart(redis_url: str) -> None:
    other = redis_url.rsplit("/", 1)[0] + "/1"
    assert SharedConnectionPool.from_url(redis_url) is SharedConnectionPool.from_url(redis_url)
    assert SharedConnectionPool.from_url(other) is not SharedConnectionPool.from_url(redis_url)
    _cache(other).set("k", "one")
    assert _cache(redis_url).get("k") is None
