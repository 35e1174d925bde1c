"""How often one participant, or one address, may post, edit, group, vote, flag, join; sockets.

Counting uses django-ratelimit's core (`get_usage`): fixed windows in Django's cache,
an atomic add-then-increment that works on Redis across every worker, hashed keys
(so no address is readable in the cache), and rates written as "10/m". Its decorator
and middleware need a request; the core does not, so the same limit holds for a
WebSocket command and an HTTP post alike, inside the service. On Redis the same
counters (the same keys and windows) are counted by one script per action, in one
round trip (`_counted`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import (
    ALL,
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)

from .errors import ActionRefused

if TYPE_CHECKING:
    from .actors import Actor

logger = logging.getLogger(__name__)

RATE_LIMITED = "rate_limited"
# A connection that is never closed cleanly (a killed worker) stops counting after this.
_CONNECTION_COUNT_TTL = 60 * 60 * 6


def limit_or_refuse(*, key: str, rate: str) -> None:
    """Count one more use of `key`; refuse with `rate_limited` once `rate` is used up.

    On Redis one round trip (the count's script below), where django-ratelimit's
    add, and an increment that first asks whether the key exists, take three: a
    support storm counts every support's address (bench/support_storm.py).
    """
    [wait] = _counted([[(key, rate)]])
    if wait is not None:
        raise rate_limited(wait)


def _counted_in_process(key: str, rate: str) -> int | None:
    """One count through django-ratelimit's core, for caches other than Redis."""
    try:
        usage = get_usage(
            None, group="samskab", key=lambda _group, _request: key, rate=rate, increment=True
        )
    except Exception:
        # A cache outage must not stop a room: losing a citizen's idea is worse
        # than letting a fast one through for a minute.
        logger.exception("rate limit counter unavailable for %s", key.split(":", 1)[0])
        return None
    if usage is not None and usage["should_limit"] and usage["limit"] > 0:
        return max(1, int(usage["time_left"]))
    return None


def rate_limited(wait: int) -> ActionRefused:
    """The refusal of an action over its limit, to try again after `wait` seconds."""
    if wait <= 60:
        message = _("That was a lot at once. Wait a moment, then try again.")
    else:
        # An hour's limit (proposals) is no moment: say how long, as Retry-After does.
        minutes = (wait + 59) // 60
        message = ngettext(
            "That was a lot at once. Try again in %(minutes)d minute.",
            "That was a lot at once. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return ActionRefused(RATE_LIMITED, message, retry_after=wait)


def actor_limit(*, actor: Actor, kind: str) -> None:
    """Apply the limits for `kind` ("post", "edit", "group", "vote", "flag", "join") to this actor.

    Per participant where there is one, and per address where the request or socket
    has one. The address limits are generous: a whole room can share one Wi-Fi.
    """
    [wait] = actors_limited_together(actors=[actor], kind=kind)
    if wait is not None:
        raise rate_limited(wait)


def actors_limited_together(*, actors: list[Actor], kind: str) -> list[int | None]:
    """actor_limit() for many actions at once, in order: for each, None or the seconds to wait.

    The same counters, counted as one by one (an action refused per participant
    counts nothing per address), in one round trip to Redis for the lot: one script
    per action counts its participant's and its address's limits in turn. Other
    caches count one by one, in process.
    """
    rates: dict[str, str] = settings.SAMSKAB_RATE_LIMITS
    address_rate = rates.get(f"{kind}_per_address")
    uses: list[list[tuple[str, str]]] = []
    for actor in actors:
        mine: list[tuple[str, str]] = []
        if actor.participant is not None and kind in rates:
            mine.append((f"{kind}:participant:{actor.participant.pk}", rates[kind]))
        if actor.address and address_rate:
            mine.append((f"{kind}:address:{actor.address}", address_rate))
        uses.append(mine)
    return _counted(uses)


# Counts one more use of each key in turn until one is over its limit: the keys after
# it are not counted. Each key expires with its window however it came to be (as
# cache.add() sets it). ARGV holds each key's expiry and its limit (0: none).
_COUNT_SCRIPT = """
local counts = {}
for i = 1, #KEYS do
  local expiry, limit = ARGV[2 * i - 1], tonumber(ARGV[2 * i])
  redis.call('SET', KEYS[i], 0, 'EX', expiry, 'NX')
  local count = redis.call('INCR', KEYS[i])
  if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], expiry) end
  counts[i] = count
  if limit > 0 and count > limit then break end
end
return counts
"""


def _counted(actions: list[list[tuple[str, str]]]) -> list[int | None]:
    """For each action, its (key, rate) uses counted in turn, as limit_or_refuse() counts.

    None, or the seconds to wait once a use is over its limit (the uses after it
    are not counted).
    """
    if not any(actions):
        return [None] * len(actions)
    counters: Any = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    client = _redis_client(counters)
    if client is None:
        return [_counted_one_by_one(uses) for uses in actions]
    try:
        counted = [action for action in actions if action]
        counting = client.pipeline(transaction=False) if len(counted) > 1 else None
        windows: list[list[tuple[int, int]]] = []
        counts: list[Any] = []
        for uses in actions:
            names: list[str] = []
            arguments: list[int] = []
            limits: list[tuple[int, int]] = []
            for key, rate in uses:
                limit, period = _split_rate(rate)
                window = _get_window(key, period)
                names.append(
                    counters.make_and_validate_key(
                        _make_cache_key("samskab", window, rate, key, ALL)
                    )
                )
                arguments += [period + EXPIRATION_FUDGE, limit]
                limits.append((limit, window))
            windows.append(limits)
            if not names:
                continue
            if counting is None:
                counts.append(client.eval(_COUNT_SCRIPT, len(names), *names, *arguments))
            else:
                counting.eval(_COUNT_SCRIPT, len(names), *names, *arguments)
        if counting is not None:
            counts = counting.execute()
    except Exception:
        # A cache outage must not stop a room: losing a citizen's idea is worse
        # than letting a fast one through for a minute.
        logger.exception("rate limit counters unavailable for %d actions", len(actions))
        return [None] * len(actions)
    now = int(time.time())
    answers = iter(counts)
    waits: list[int | None] = []
    for limits in windows:
        wait = None
        if limits:
            for count, (limit, window) in zip(next(answers), limits, strict=False):
                if limit > 0 and int(count) > limit:
                    wait = max(1, window - now)
        waits.append(wait)
    return waits


def _counted_one_by_one(uses: list[tuple[str, str]]) -> int | None:
    """An action's uses counted in turn in process, until one is over its limit."""
    for key, rate in uses:
        wait = _counted_in_process(key, rate)
        if wait is not None:
            return wait
    return None


def _redis_client(backend: Any) -> Any:
    """The cache's own Redis connection, when the cache is Django's Redis cache."""
    if not isinstance(backend, RedisCache):
        return None
    redis_backend: Any = backend
    return redis_backend._cache.get_client(write=True)


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from; behind a proxy, the one the proxy saw."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The last entry is the one our own proxy added; earlier ones the client may forge.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


def socket_address(scope: dict[str, Any]) -> str | None:
    """The address of a WebSocket (Daphne puts the proxy's view there with --proxy-headers)."""
    client = scope.get("client")
    if client:
        return str(client[0])
    return None


def _connections_key(participant_id: int) -> str:
    return f"samskab:connections:{participant_id}"


def connection_open(participant_id: int) -> bool:
    """Count a new socket of this participant; False (and not counted) past the limit."""
    key = _connections_key(participant_id)
    try:
        cache.add(key, 0, _CONNECTION_COUNT_TTL)
        count = cache.incr(key)
    except Exception:
        logger.exception("connection counter unavailable")
        return True
    if count > int(settings.SAMSKAB["MAX_CONNECTIONS_PER_PARTICIPANT"]):
        connection_closed(participant_id)
        return False
    return True


def connection_closed(participant_id: int) -> None:
    key = _connections_key(participant_id)
    try:
        cache.decr(key)
    except ValueError:
        pass  # the count expired meanwhile; nothing to give back
    except Exception:
        logger.exception("connection counter unavailable")
