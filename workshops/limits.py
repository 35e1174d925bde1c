"""How often one participant, or one address, may post, edit, group, vote, flag, join; sockets.

Counting uses django-ratelimit's core (`get_usage`): fixed windows in Django's cache,
an atomic add-then-increment that works on Redis across every worker, hashed keys
(so no address is readable in the cache), and rates written as "10/m". Its decorator
and middleware need a request; the core does not, so the same limit holds for a
WebSocket command and an HTTP post alike, inside the service.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .errors import ActionRefused

if TYPE_CHECKING:
    from .actors import Actor

logger = logging.getLogger(__name__)

RATE_LIMITED = "rate_limited"
# A connection that is never closed cleanly (a killed worker) stops counting after this.
_CONNECTION_COUNT_TTL = 60 * 60 * 6


def limit_or_refuse(*, key: str, rate: str) -> None:
    """Count one more use of `key`; refuse with `rate_limited` once `rate` is used up."""
    try:
        usage = get_usage(
            None, group="samskab", key=lambda _group, _request: key, rate=rate, increment=True
        )
    except Exception:
        # A cache outage must not stop a room: losing a citizen's idea is worse
        # than letting a fast one through for a minute.
        logger.exception("rate limit counter unavailable for %s", key.split(":", 1)[0])
        return
    if usage is not None and usage["should_limit"] and usage["limit"] > 0:
        raise ActionRefused(
            RATE_LIMITED,
            _("That was a lot at once. Wait a moment, then try again."),
            retry_after=max(1, int(usage["time_left"])),
        )


def actor_limit(*, actor: Actor, kind: str) -> None:
    """Apply the limits for `kind` ("post", "edit", "group", "vote", "flag", "join") to this actor.

    Per participant where there is one, and per address where the request or socket
    has one. The address limits are generous: a whole room can share one Wi-Fi.
    """
    rates: dict[str, str] = settings.SAMSKAB_RATE_LIMITS
    if actor.participant is not None and kind in rates:
        limit_or_refuse(key=f"{kind}:participant:{actor.participant.pk}", rate=rates[kind])
    address_rate = rates.get(f"{kind}_per_address")
    if actor.address and address_rate:
        limit_or_refuse(key=f"{kind}:address:{actor.address}", rate=address_rate)


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
