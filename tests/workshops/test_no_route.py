"""A socket opened at an address nothing serves gets `not_found` and close code 4404,
the answer on which clients stop reconnecting, never a failed handshake (HTTP 500)."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
TIMEOUT = 10


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/ws/workshops/NOT-A-CODE/", "No workshop has this code."),
        ("/ws/workshops/ABCDEFGHIJKLMNOP/", "No workshop has this code."),
        ("/ws/workshops/ABC123", "No workshop has this code."),
        ("/ws/challenges/abc/", "No such challenge."),
        ("/ws/receipts/forged/", "This receipt does not exist"),
        ("/ws/nothing/here/", "Not found."),
    ],
)
async def test_an_address_nothing_serves_is_answered_not_found_and_closed(
    path: str, message: str
) -> None:
    socket = WebsocketCommunicator(application, path, headers=ORIGIN)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected

    frame = json.loads(await socket.receive_from(timeout=TIMEOUT))

    assert frame["type"] == "error" and frame["code"] == "not_found"
    assert frame["message"].startswith(message)
    # The receipt's line sends no request_id (docs/statuses.md); the others do, as null.
    assert ("request_id" in frame) is not path.startswith("/ws/receipts/")
    closing = await socket.receive_output(timeout=TIMEOUT)
    assert closing == {"type": "websocket.close", "code": 4404}
