"""Rate limits and connection counts on a real Redis, shared by every worker."""

from __future__ import annotations

import pytest
import redis
from django.test import override_settings

from tests.integration.conftest import redis_server, redis_url  # noqa: F401 - fixtures
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.limits import (
    actors_limited_together,
    connection_closed,
    connection_open,
    limit_or_refuse,
)
from workshops.models import Participant, Workshop
from workshops.phases import Role

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


def test_counts_taken_together_share_the_counters_of_one_by_one(redis_url: str) -> None:  # noqa: F811
    """A batch's votes and an HTTP vote count alike: the same key, the same window."""
    workshop, participant = Workshop(pk=7), Participant(pk=93, workshop_id=7)
    actor = Actor(
        role=Role.CITIZEN, workshop=workshop, participant=participant, address="192.0.2.9"
    )
    limits = {"vote": "3/m", "vote_per_address": "3/m"}
    with override_settings(CACHES=redis_cache(redis_url), SAMSKAB_RATE_LIMITS=limits):
        limit_or_refuse(key="vote:participant:93", rate="3/m")
        waits = actors_limited_together(actors=[actor, actor, actor], kind="vote")
        assert waits[:2] == [None, None]
        assert waits[2] is not None and 1 <= waits[2] <= 60
        with pytest.raises(ActionRefused):
            limit_or_refuse(key="vote:participant:93", rate="3/m")
        # The address counted the two votes let through, not the one refused.
        limit_or_refuse(key="vote:address:192.0.2.9", rate="3/m")
        with pytest.raises(ActionRefused):
            limit_or_refuse(key="vote:address:192.0.2.9", rate="3/m")
    client = redis.Redis.from_url(redis_url)
    ttls = [client.ttl(key) for key in client.keys("*")]
    client.close()
    assert ttls and all(0 < ttl <= 60 + 60 for ttl in ttls), ttls
