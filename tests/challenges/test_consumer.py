"""Open pages hear every count change over their WebSocket, without polling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from challenges import services
from challenges.models import Challenge, Citizen, Proposal
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 3
ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def _events(socket: WebsocketCommunicator) -> list[dict[str, Any]]:
    frame = json.loads(await socket.receive_from(timeout=TIMEOUT))
    return list(frame["events"]) if frame["type"] == "batch" else [frame]


async def _support(proposal: Proposal) -> None:
    def give() -> None:
        services.support_give(proposal_id=proposal.pk, citizen=Citizen.objects.create())

    await database_sync_to_async(give)()


async def test_every_open_page_sees_the_count_move_and_the_threshold_reached(
    challenge: Challenge, proposal: Proposal
) -> None:
    pages = [
        WebsocketCommunicator(application, f"/ws/challenges/{challenge.pk}/", headers=ORIGIN)
        for _ in range(2)
    ]
    for page in pages:
        assert (await page.connect(timeout=TIMEOUT))[0]
        snapshot = json.loads(await page.receive_from(timeout=TIMEOUT))
        assert snapshot["type"] == "snapshot"
        assert snapshot["data"]["proposals"][0]["support_count"] == 0

    for _n in range(3):
        await _support(proposal)

    for page in pages:
        seen: dict[str, Any] = {}
        while seen.get("support_count") != 3:
            for event in await _events(page):
                assert event["type"] == "proposal.support_changed"
                seen = event["data"]["proposal"]
        assert seen["status"] == "threshold_reached" and seen["threshold_reached_at"]
        await page.disconnect()


async def test_a_page_that_talks_gets_an_answer_and_an_unknown_challenge_a_reason(
    challenge: Challenge,
) -> None:
    page = WebsocketCommunicator(application, f"/ws/challenges/{challenge.pk}/", headers=ORIGIN)
    await page.connect(timeout=TIMEOUT)
    await page.receive_from(timeout=TIMEOUT)

    for frame, answer in [
        ('{"type": "ping", "request_id": "a"}', "pong"),
        ("not json", "error"),
        ('{"type": "proposal.support"}', "error"),
        ("[1, 2]", "error"),
        ("x" * 20000, "error"),
    ]:
        await page.send_to(text_data=frame)
        assert json.loads(await page.receive_from(timeout=TIMEOUT))["type"] == answer
    await page.disconnect()

    missing = WebsocketCommunicator(application, "/ws/challenges/999999/", headers=ORIGIN)
    await missing.connect(timeout=TIMEOUT)
    assert json.loads(await missing.receive_from(timeout=TIMEOUT))["code"] == "not_found"
    assert (await missing.receive_output(timeout=TIMEOUT))["type"] == "websocket.close"
