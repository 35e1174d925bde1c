"""The room's WebSocket: transport only.

It resolves who is connecting, joins the room's group, sends a snapshot, forwards
events this person may see, and hands every client frame to workshops.commands.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from moderation.limits import connection_closed, connection_open, socket_address

from .actors import Actor, actor_resolve
from .commands import command_handle, error_reply
from .events import Audience, participant_group, room_group
from .phases import Role
from .selectors import room_snapshot, workshop_by_code

# Close codes in the 4000s carry the reason to the page, which then stops retrying.
CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403
# Too many sockets of one participant: the page retries later, when a tab has closed.
CLOSE_TOO_MANY = 4429


def _resolve(
    code: str, user: Any, session: Any, as_observer: bool, address: str | None
) -> Actor | None:
    workshop = workshop_by_code(code=code)
    if workshop is None:
        return None
    return actor_resolve(
        workshop=workshop, user=user, session=session, as_observer=as_observer, address=address
    )


class RoomConsumer(AsyncWebsocketConsumer):
    actor: Actor | None = None
    groups_joined: list[str]
    # The participant whose connection count this socket holds, to give back on close.
    counted_participant: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups_joined = []

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        as_observer = b"view=projector" in self.scope.get("query_string", b"")
        actor = await database_sync_to_async(_resolve)(
            code,
            self.scope.get("user"),
            self.scope["session"],
            as_observer,
            socket_address(self.scope),
        )
        await self.accept()
        if actor is None:
            await self._send(error_reply(None, "not_found", _("No workshop has this code.")))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if actor.role is Role.OUTSIDER:
            await self._send(error_reply(None, "forbidden", _("Join the workshop first.")))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if actor.participant is not None:
            if not await database_sync_to_async(connection_open)(actor.participant.pk):
                message = _("This workshop is already open in too many tabs; close one.")
                await self._send(error_reply(None, "too_many_connections", message))
                await self.close(code=CLOSE_TOO_MANY)
                return
            self.counted_participant = actor.participant.pk
        self.actor = actor
        self.groups_joined = [room_group(actor.workshop.pk)]
        if actor.participant is not None:
            self.groups_joined.append(participant_group(actor.participant.pk))
        # Join before reading the snapshot: an event racing the read then arrives after
        # it, and the page applies it idempotently, so nothing falls between the two.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        snapshot = await database_sync_to_async(room_snapshot)(actor=actor)
        await self._send({"type": "snapshot", "data": snapshot})

    async def disconnect(self, code: int) -> None:
        if self.counted_participant is not None:
            await database_sync_to_async(connection_closed)(self.counted_participant)
            self.counted_participant = None
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.actor is None:
            return
        frame, problem = self._parse(text_data)
        if problem is not None:
            await self._send(problem)
            return
        if frame.get("type") == "ping":
            await self._send({"type": "pong", "request_id": frame.get("request_id")})
            return
        self.actor, reply = await database_sync_to_async(command_handle)(
            actor=self.actor, frame=frame
        )
        await self._send(reply)

    @staticmethod
    def _parse(text_data: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The frame as a JSON object, or the error to answer instead."""
        if text_data is None:
            return {}, error_reply(None, "malformed", _("Send text frames with JSON."))
        if len(text_data.encode()) > settings.SAMSKAB["MAX_FRAME_BYTES"]:
            return {}, error_reply(None, "too_large", _("That message is too large."))
        try:
            frame = json.loads(text_data)
        except ValueError:
            return {}, error_reply(None, "malformed", _("That message is not valid JSON."))
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return {}, error_reply(None, "malformed", _("A message needs a type."))
        return frame, None

    async def room_event(self, message: dict[str, Any]) -> None:
        if self.actor is None:
            return
        facilitator = self.actor.role is Role.FACILITATOR
        if message["audience"] == Audience.FACILITATORS and not facilitator:
            return
        # Some events show facilitators more (a hidden idea's words) than the room.
        event = message.get("facilitator_event") if facilitator else None
        await self._send(event or message["event"])

    async def room_close(self, message: dict[str, Any]) -> None:
        """This participant was removed from the room: say why, then hang up."""
        await self._send(error_reply(None, message["code"], message["message"]))
        self.actor = None
        await self.close(code=CLOSE_FORBIDDEN)

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
