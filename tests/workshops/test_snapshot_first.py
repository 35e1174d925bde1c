"""The protocol's promise on every connect: the snapshot first, then events, none lost."""

from __future__ import annotations

import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from tests.workshops.test_consumer import Connect, open_socket, receive
from workshops import consumers
from workshops.events import room_group
from workshops.models import Workshop

__all__ = ["open_socket"]  # the fixture, shared with the socket tests

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_event_published_while_the_snapshot_is_read_follows_it(
    citizen_client: Client,
    workshop: Workshop,
    open_socket: Connect,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_snapshot = consumers.room_snapshot
    racing = {
        "type": "room.event",
        "audience": "everyone",
        "event": {
            "type": "participant.joined",
            "data": {"participant": {}, "participant_count": 7},
        },
    }

    def snapshot_with_a_race(*, actor: Any) -> dict[str, Any]:
        # The room hears of a join while this socket's snapshot is still being read.
        async_to_sync(get_channel_layer().group_send)(room_group(workshop.pk), racing)
        time.sleep(0.2)
        return real_snapshot(actor=actor)

    monkeypatch.setattr(consumers, "room_snapshot", snapshot_with_a_race)

    socket = await open_socket(citizen_client, workshop.join_code)

    first = await receive(socket)
    second = await receive(socket)
    assert first["type"] == "snapshot"
    assert second == racing["event"]
