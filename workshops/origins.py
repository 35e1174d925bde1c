"""Which pages may open a WebSocket here: the site's own, compared exactly.

A browser sends the page's origin (scheme, host and port) with every WebSocket
handshake; Channels' AllowedHostsOriginValidator compares only the host, so a page
at http://127.0.0.1:1 passed for a server at 127.0.0.1:8000. This compares the
whole origin, as Django's CSRF check does for a form: the origin must be the
origin of the address the socket was opened at (its scheme, from wss/ws or,
behind a proxy with BEHIND_PROXY, X-Forwarded-Proto; its Host, which must be one
of ALLOWED_HOSTS), or one of CSRF_TRUSTED_ORIGINS exactly. A handshake without
an Origin (no browser sends none) is refused too: HTTP 403 before it completes.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _secure(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") == "wss":
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        return _header(scope, b"x-forwarded-proto") == "https"
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the handshake comes from a page of this site (see the module's docstring)."""
    origin = _header(scope, b"origin")
    if not origin:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed_hosts):
        return False
    own = f"{'https' if _secure(scope) else 'http'}://{host.lower()}"
    return origin.lower() == own


class SameOriginValidator:
    """ASGI middleware: a WebSocket from anywhere but this site's own pages is refused."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
