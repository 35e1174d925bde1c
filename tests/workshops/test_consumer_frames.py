"""A room socket's frames are answered without waiting for the thread synchronous code shares."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from tests.workshops.test_consumer import (  # noqa: F401 - open_socket is a fixture
    Connect,
    open_socket,
    receive,
    snapshot_of,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_frame_is_answered_while_the_shared_thread_is_busy(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    workshop: Workshop,
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)
    # Something slow on the one thread Django's synchronous code shares by default (a
    # tally's reads did run there): a frame must not queue behind it.
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)())
    # Let go after a while whatever happens, so a frame queued behind it is answered late
    # rather than never.
    letting_go = threading.Timer(2.0, release.set)
    letting_go.start()
    try:
        await asyncio.sleep(0.1)
        await socket.send_json_to({"type": "ping", "request_id": "while-busy"})
        assert await receive(socket) == {"type": "pong", "request_id": "while-busy"}
        assert not release.is_set(), "the frame waited for the busy thread"
    finally:
        release.set()
        letting_go.cancel()
        await busy
