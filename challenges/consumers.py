"""The WebSocket of a challenge's pages: transport only.

On connect it joins the challenge's hub (challenges.hub) and sends a snapshot of
every public proposal's count; then the hub writes each change. A page may send
`{"type": "ping"}`; anything else gets an error, never silence.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from workshops.commands import error_reply
from workshops.consumers import frame_parse, pooled
from workshops.listeners import SnapshotFirstConsumer

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


class ChallengeConsumer(SnapshotFirstConsumer):
    hub: ChallengeHub | None = None

    async def open(self) -> None:
        challenge_id = int(self.scope["url_route"]["kwargs"]["challenge_id"])
        await self.accept_once()
        challenge = await pooled(challenge_by_id)(challenge_id=challenge_id)
        if challenge is None:
            await self._send(error_reply(None, "not_found", _("No such challenge.")))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join before reading: a change racing the read arrives after the snapshot.
        self.hub = challenge_hub(challenge_id)
        await self.hub.add(self)
        await self.send_snapshot(await pooled(_snapshot)(challenge_id))

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        hub, self.hub = self.hub, None
        if hub is not None:
            await hub.remove(self)

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

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
