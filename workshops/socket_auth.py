"""Who a socket's account is, read when the consumer first asks rather than before the handshake.

Channels' AuthMiddleware reads the session and the account before the consumer runs,
on the thread Django's pages share; under a crowd of joining phones that read waits
behind the pages, and a server gives up on a handshake kept waiting (Daphne after
5 s, websockets after 10 s). Here the account is read in the consumer's own database
call, after the handshake (workshops.consumers), exactly as Channels would read it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from channels.auth import AuthMiddleware
from django.contrib.auth import get_user
from django.utils.functional import SimpleLazyObject


class AccountWhenAsked(AuthMiddleware):
    """Channels' AuthMiddleware with `scope["user"]` read on first use, in a sync thread."""

    def populate_scope(self, scope: dict[str, Any]) -> None:
        if "session" not in scope:
            raise ValueError("AccountWhenAsked needs SessionMiddleware above it.")
        if "user" not in scope:
            # Django's own reading of a request's account, given the socket's session.
            holder = SimpleNamespace(session=scope["session"])
            scope["user"] = SimpleLazyObject(lambda: get_user(holder))  # type: ignore[arg-type]

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        return None
