"""The single process's channel layer: delivers like Channels' own, cleans up once a second."""

from __future__ import annotations

import asyncio

from django.conf import settings

from workshops.channel_layer import CLEAN_EVERY_SECONDS, RoomMemoryLayer


def test_a_single_process_uses_it() -> None:
    if not settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer"):
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == (
            "workshops.channel_layer.RoomMemoryLayer"
        )


async def test_group_messages_arrive_and_expired_ones_are_dropped_within_a_second() -> None:
    layer = RoomMemoryLayer(expiry=0.1)
    await layer.group_add("participant.1", "hub.inmemory!a")
    await layer.group_send("participant.1", {"type": "room.event", "n": 1})
    assert await asyncio.wait_for(layer.receive("hub.inmemory!a"), 1) == {
        "type": "room.event",
        "n": 1,
    }

    await layer.send("hub.inmemory!b", {"type": "room.event", "n": 2})
    await asyncio.sleep(CLEAN_EVERY_SECONDS + 0.2)
    await layer.group_send("participant.1", {"type": "room.event", "n": 3})

    # The message to b outlived its expiry: gone, and b with it.
    assert "hub.inmemory!b" not in layer.channels
    assert await asyncio.wait_for(layer.receive("hub.inmemory!a"), 1) == {
        "type": "room.event",
        "n": 3,
    }
