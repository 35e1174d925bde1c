"""A WebSocket opened at an address no consumer serves is answered, not failed.

Without a route Channels fails the handshake with HTTP 500, which a client cannot tell
from a server fault and so retries for ever. Here the socket is accepted, told
`not_found` in the room's error frame, and closed with 4404, the code on which every
client stops reconnecting (docs/protocol.md). Each app adds one for its own prefix,
with its own sentence, below its routes; config/asgi.py adds one for any other path.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .commands import error_reply

CLOSE_NOT_FOUND = 4404
NOT_FOUND = _("Not found.")


class NoSuchSocket(AsyncWebsocketConsumer):
    """Answers `not_found` and closes with 4404; as_asgi(message=…) says it per prefix."""

    def __init__(
        self,
        *args: Any,
        message: str | Promise = NOT_FOUND,
        request_id: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.message = message
        # The receipt's line has no commands, so its frames carry no request_id.
        self.request_id = request_id

    async def connect(self) -> None:
        await self.accept()
        frame = error_reply(None, "not_found", str(self.message))
        if not self.request_id:
            del frame["request_id"]
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))
        await self.close(code=CLOSE_NOT_FOUND)
