"""Moderation over the room's WebSocket: what each screen receives, and who is shut out."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client, override_settings

from ideas.models import Idea
from moderation.models import ModerationSettings
from tests.workshops.test_consumer import (
    Connect,
    post_frame,
    receive,
    receive_until,
    snapshot_of,
)
from tests.workshops.test_consumer import nothing_arrives as quiet
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)


async def nothing_arrives(socket: Any) -> None:
    assert await quiet(socket), "an unexpected frame arrived"


async def test_a_held_idea_reaches_the_facilitator_and_no_citizen(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    await database_sync_to_async(ModerationSettings.objects.create)(
        workshop=workshop, mode=ModerationSettings.Mode.PRE
    )
    poster = await open_socket(citizen_client, workshop.join_code)
    watcher = await open_socket(second_citizen_client, workshop.join_code)
    console = await open_socket(facilitator_client, workshop.join_code)
    for socket in (poster, watcher, console):
        await snapshot_of(socket)

    await poster.send_json_to(post_frame("Free wifi"))

    ack = await receive(poster)
    assert ack["type"] == "ack" and ack["data"]["idea"]["status"] == "held"
    assert ack["data"]["idea"]["text"] == ""
    held = await receive(console)
    assert held["type"] == "idea.held"
    assert held["data"]["review"]["text"] == "Free wifi"
    await nothing_arrives(watcher)
    await nothing_arrives(poster)

    idea_id = held["data"]["idea"]["id"]
    await console.send_json_to(
        {"type": "moderation.approve", "idea_id": idea_id, "request_id": "a"}
    )
    frames = await receive_until(console, {"ack", "idea.posted"})
    assert frames["ack"]["request_id"] == "a"
    posted = await receive(watcher)
    assert posted["type"] == "idea.posted"
    assert posted["data"]["idea"]["text"] == "Free wifi"


async def test_a_citizen_never_hears_a_hidden_ideas_words(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    poster = await open_socket(citizen_client, workshop.join_code)
    console = await open_socket(facilitator_client, workshop.join_code)
    await snapshot_of(poster)
    await snapshot_of(console)
    await poster.send_json_to(post_frame("Call Jens on 12345678"))
    await receive_until(poster, {"ack", "idea.posted"})
    posted = await receive(console)

    await console.send_json_to(
        {"type": "moderation.hide", "idea_id": posted["data"]["idea"]["id"], "reason": "Number"}
    )

    to_citizen = await receive(poster)
    assert to_citizen["type"] == "idea.hidden"
    assert to_citizen["data"]["review"] is None
    assert "12345678" not in str(to_citizen)
    to_console = await receive_until(console, {"ack", "idea.hidden"})
    assert to_console["idea.hidden"]["data"]["review"]["text"] == "Call Jens on 12345678"
    # A phone that reconnects gets no trace of it either.
    again = await open_socket(second_citizen_client, workshop.join_code)
    assert "12345678" not in str(await snapshot_of(again))


async def test_citizens_cannot_moderate(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    for frame in (
        {"type": "moderation.hide", "idea_id": 1},
        {
            "type": "moderation.configure",
            "mode": "pre",
            "flag_threshold": 3,
            "word_list": "",
            "retention_days": 30,
        },
        {"type": "participant.remove", "participant_id": 1},
    ):
        await socket.send_json_to(frame)
        reply = await receive(socket)
        assert (reply["type"], reply["code"]) == ("error", "forbidden")


async def test_a_removed_participant_is_hung_up_on_and_stays_out(
    open_socket: Connect,
    citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    phone = await open_socket(citizen_client, workshop.join_code)
    snapshot = await snapshot_of(phone)
    console = await open_socket(facilitator_client, workshop.join_code)
    await snapshot_of(console)

    await console.send_json_to(
        {"type": "participant.remove", "participant_id": snapshot["you"]["participant_id"]}
    )

    told = await receive(phone)
    assert (told["type"], told["code"]) == ("error", "removed")
    closed = await phone.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4403}
    # The same phone reconnecting is refused, and its HTTP post changes nothing.
    again = await open_socket(citizen_client, workshop.join_code)
    refused = await receive(again)
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    response = await database_sync_to_async(citizen_client.post)(
        f"/w/{workshop.join_code}/ideas/",
        {"text": "Back again", "client_key": "http-key-0001"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code in {403, 409}
    assert not await database_sync_to_async(Idea.objects.exists)()


@override_settings(
    SAMSKAB={"IDEA_MAX_LENGTH": 500, "MAX_FRAME_BYTES": 8192, "MAX_CONNECTIONS_PER_PARTICIPANT": 2}
)
async def test_one_connection_too_many_is_refused_clearly(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    first = await open_socket(citizen_client, workshop.join_code)
    second = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(first)
    await snapshot_of(second)

    third = await open_socket(citizen_client, workshop.join_code)

    refused = await receive(third)
    assert (refused["type"], refused["code"]) == ("error", "too_many_connections")
    assert await third.receive_output(timeout=3) == {"type": "websocket.close", "code": 4429}
    # Closing one makes room for another.
    await first.disconnect()
    await asyncio.sleep(0.1)
    fourth = await open_socket(citizen_client, workshop.join_code)
    assert (await snapshot_of(fourth))["you"]["role"] == "citizen"


async def test_posting_too_fast_is_refused_clearly(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    with override_settings(SAMSKAB_RATE_LIMITS={"post": "2/m"}):
        for number in range(3):
            await socket.send_json_to(
                post_frame(f"Idea {number}", f"fast-key-{number:04d}", f"r{number}")
            )
        replies = []
        while len(replies) < 3:
            frame = await receive(socket)
            if frame["type"] in {"ack", "error"}:
                replies.append(frame)

    assert [reply["type"] for reply in replies] == ["ack", "ack", "error"]
    assert replies[2]["code"] == "rate_limited"
    assert await database_sync_to_async(Idea.objects.count)() == 2
