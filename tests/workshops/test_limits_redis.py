"""Rate limits and connection counts on a real Redis, shared by every worker."""

from __future__ import annotations

import pytest
import redis
from django.test import override_settings

from tests.integration.conftest import redis_server, redis_url  # noqa: F401 - fixtures
from workshops.errors import ActionRefused
from workshops.limits import connection_closed, connection_open, limit_or_refuse

pytestmark = pytest.mark.services


def redis_cache(url: str) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_the_limit_holds_across_workers_and_no_address_is_readable(redis_url: str) -> None:  # noqa: F811
    address = "203.0.113.7"
    with override_settings(CACHES=redis_cache(redis_url)):
        limit_or_refuse(key=f"post:address:{address}", rate="2/m")
        limit_or_refuse(key=f"post:address:{address}", rate="2/m")
        with pytest.raises(ActionRefused) as refused:
            limit_or_refuse(key=f"post:address:{address}", rate="2/m")

    assert refused.value.code == "rate_limited"
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys("*")]
    client.close()
    assert keys, "the count lives in Redis, where every worker sees it"
    assert not any(address in key for key in keys)


def test_connection_counts_live_in_redis(redis_url: str) -> None:  # noqa: F811
    with override_settings(
        CACHES=redis_cache(redis_url),
        SAMSKAB={
            "IDEA_MAX_LENGTH": 500,
            "MAX_FRAME_BYTES": 8192,
            "MAX_CONNECTIONS_PER_PARTICIPANT": 2,
        },
    ):
        assert connection_open(41) and connection_open(41)
        assert not connection_open(41)
        connection_closed(41)
        assert connection_open(41)


def test_a_redis_outage_lets_people_post(redis_url: str) -> None:  # noqa: F811
    dead = "redis://127.0.0.1:1/0"
    with override_settings(CACHES=redis_cache(dead)):
        for _ in range(5):
            limit_or_refuse(key="post:participant:1", rate="1/m")
