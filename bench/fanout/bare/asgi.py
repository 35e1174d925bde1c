"""The textbook Channels broadcast: every socket joins a group, every event is a group_send.

Each consumer receives each event from the layer, dispatches it (with the
database-connection check Channels runs before every handler), serialises it and
sends it. This is the cost per recipient that the product's hub removes.
"""

from __future__ import annotations

import json
import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.fanout.bare.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "room"


class BareConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        if frame.get("type") == "publish":
            event = {"type": "bench.event", "data": frame["data"]}
            await self.channel_layer.group_send(GROUP, {"type": "room.event", "event": event})

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message["event"], ensure_ascii=False))


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/bench/", BareConsumer.as_asgi())])}
)
