"""A hang-up, like a frame, is handled without a hop to the thread synchronous code shares."""

from __future__ import annotations

import channels.generic.websocket as generic_websocket
import pytest
from django.test import Client

from tests.workshops.test_consumer import Connect, open_socket, snapshot_of
from workshops.models import Workshop

__all__ = ["open_socket"]  # the fixture, shared with the socket tests

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_hang_up_gives_back_its_count_without_the_shared_thread(
    open_socket: Connect,
    citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hops: list[str] = []
    real = generic_websocket.aclose_old_connections

    async def counted() -> None:
        hops.append("aclose_old_connections")
        await real()

    monkeypatch.setattr(generic_websocket, "aclose_old_connections", counted)
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)
    await socket.disconnect()
    assert hops == []
    # The hang-up gave the participant's socket back: another opens as before.
    again = await open_socket(citizen_client, workshop.join_code)
    assert (await snapshot_of(again))["you"]["role"] == "citizen"
