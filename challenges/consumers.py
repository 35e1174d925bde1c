"""The WebSocket of a challenge's pages: transport only.

On connect it joins the challenge's hub (challenges.hub) and sends a snapshot of
every public proposal's count; then the hub writes each change. A page may send
`{"type": "ping"}`; anything else gets an error, never silence.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from workshops.commands import error_reply
from workshops.consumers import frame_parse, pooled
from workshops.hub import WIRE_SEND

from .hub import ChallengeHub, challenge_hub
from .models import Proposal
from .selectors import challenge_by_id
from .serializers import support_change_as_dict

CLOSE_NOT_FOUND = 4404


def _snapshot(challenge_id: int) -> dict[str, Any] | None:
    challenge = challenge_by_id(challenge_id=challenge_id)
    if challenge is None:
        return None
    proposals = Proposal.objects.filter(
        challenge=challenge, status__in=Proposal.PUBLIC
    ).select_related("challenge")
    return {"challenge": challenge.pk, "proposals": [support_change_as_dict(p) for p in proposals]}


class ChallengeConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # the hub holds the one channel for every local page
    hub: ChallengeHub | None = None

    async def connect(self) -> None:
        challenge_id = int(self.scope["url_route"]["kwargs"]["challenge_id"])
        await self.accept()
        self.held: list[str] | None = []
        challenge = await pooled(challenge_by_id)(challenge_id=challenge_id)
        if challenge is None:
            await self._send(error_reply(None, "not_found", _("No such challenge.")))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join before reading: a change racing the read arrives after the snapshot.
        self.hub = challenge_hub(challenge_id)
        await self.hub.add(self)
        snapshot = await pooled(_snapshot)(challenge_id)
        await self._send({"type": "snapshot", "data": snapshot})
        held, self.held = self.held or [], None
        for text in held:
            await self._wire(text)

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            await self.hub.remove(self)
            self.hub = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if (
            text_data is None
            or len(text_data.encode("utf-8", "surrogatepass")) > settings.SAMSKAB["MAX_FRAME_BYTES"]
        ):
            await self._send(error_reply(None, "malformed", _("Send short text frames with JSON.")))
            return
        # The room's guard: nesting and lone surrogates are answered, never crashed on.
        frame, problem = frame_parse(text_data)
        if problem is not None:
            await self._send(problem)
            return
        request_id = frame.get("request_id")
        if frame.get("type") == "ping":
            await self._send({"type": "pong", "request_id": request_id})
            return
        await self._send(
            error_reply(
                request_id, "unknown_type", _("This page only listens; support on the page.")
            )
        )

    async def hub_send(self, text: str) -> None:
        if getattr(self, "held", None) is not None:
            self.held.append(text)  # type: ignore[union-attr]
            return
        await self._wire(text)

    async def _wire(self, text: str) -> None:
        send = self.scope.get(WIRE_SEND) or self.base_send
        await send({"type": "websocket.send", "text": text})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
