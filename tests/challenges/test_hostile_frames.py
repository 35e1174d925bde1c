"""A challenge page's socket answers frames built to break it, as the room's does (issue 17)."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator

from challenges.models import Challenge
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 3
ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def test_nesting_and_lone_surrogates_are_answered_and_the_socket_stays(
    challenge: Challenge,
) -> None:
    page = WebsocketCommunicator(application, f"/ws/challenges/{challenge.pk}/", headers=ORIGIN)
    await page.connect(timeout=TIMEOUT)
    await page.receive_from(timeout=TIMEOUT)  # the snapshot

    for frame in [
        '{"type":"ping","x":' + "[" * 3000 + "]" * 3000 + "}",
        '{"type":"ping","request_id":"\\ud800"}',
        '{"type":"\\udfff"}',
    ]:
        await page.send_to(text_data=frame)
        answer = json.loads(await page.receive_from(timeout=TIMEOUT))
        assert (answer["type"], answer["code"]) == ("error", "malformed"), frame

    await page.send_to(text_data='{"type":"ping","request_id":"still"}')
    assert json.loads(await page.receive_from(timeout=TIMEOUT)) == {
        "type": "pong",
        "request_id": "still",
    }
    await page.disconnect()
