"""A page's live socket: the handshake, a snapshot, then what a hub writes; every fault answered.

The room's socket (workshops.consumers) and a challenge's (challenges.consumers) work
alike: accept, register with their hub, read a snapshot, and hold whatever the hub
hands over meanwhile until the snapshot has gone out, so the page always gets the
snapshot first and nothing that raced it is lost. A socket that cannot be opened (the
database failing, say) is answered with `server_error` and close code 1011, which the
pages retry (docs/protocol.md); a socket never ends without an answer.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .commands import error_reply
from .hub import WIRE_SEND
from .serializers import json_text

logger = logging.getLogger(__name__)

# The server could not open the socket (WebSocket's "internal error"): the page retries.
CLOSE_SERVER_ERROR = 1011


class SnapshotFirstConsumer(AsyncWebsocketConsumer):
    """What every live page's socket shares; subclasses say how to `open` and `leave`."""

    # No channel of its own: a hub receives events once for all local sockets.
    channel_layer_alias = None
    # What this socket's person reads (workshops.languages); subclasses may narrow it.
    language: str = settings.LANGUAGE_CODE
    # Whether the handshake was accepted: a frame may only follow an accepted handshake.
    accepted: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the hub handed over before the first snapshot went out.
        self.held_until_snapshot: list[str] | None = []

    async def connect(self) -> None:
        try:
            await self.open()
        except Exception:
            # A fault of ours: the socket is answered before it ends, and the page
            # reconnects with backoff.
            logger.exception("%s could not open", type(self).__name__)
            with translation.override(self.language):
                message = _("Something went wrong on our side; nothing changed. Try again.")
            await self.end_after_fault(message)

    async def end_after_fault(self, message: str) -> None:
        """Leave, answer `server_error` with `message` and close with 1011: the page retries."""
        try:
            await self.leave()
        except Exception:
            # Whatever failed may fail again here; the answer below still goes out.
            logger.exception("%s could not leave its hub", type(self).__name__)
        await self.accept_once()
        await self.send_frame(error_reply(None, "server_error", message))
        await self.close(code=CLOSE_SERVER_ERROR)

    async def open(self) -> None:
        """Accept, register with the hub and send the snapshot (`send_snapshot`)."""
        raise NotImplementedError

    async def leave(self) -> None:
        """Leave the hub and give back what the socket held; safe to call twice."""

    async def accept_once(self) -> None:
        if not self.accepted:
            self.accepted = True
            await self.accept()

    async def send_snapshot(self, data: Any, *, frame_type: str = "snapshot") -> None:
        """The snapshot, then what the hub handed over while it was read, in order.

        `frame_type` names another first frame that stands for the snapshot (the room's
        `snapshot.current`, workshops.selectors.room_snapshot_since).
        """
        await self.send(text_data=json_text({"type": frame_type, "data": data}))
        while self.held_until_snapshot:
            await self.wire_send(self.held_until_snapshot.pop(0))
        self.held_until_snapshot = None

    async def hub_send(self, text: str) -> None:
        # The protocol promises the snapshot first: hold events until it is sent.
        if self.held_until_snapshot is not None:
            self.held_until_snapshot.append(text)
            return
        await self.wire_send(text)

    async def wire_send(self, text: str) -> None:
        # Straight to the server (see hub.WireSend), past the session middleware.
        send = self.scope.get(WIRE_SEND) or self.base_send
        await send({"type": "websocket.send", "text": text})

    async def send_frame(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json_text(payload))
