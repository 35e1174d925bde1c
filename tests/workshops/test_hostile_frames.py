"""Frames built to break the room's socket: each gets an error frame, the socket stays
open, nothing is stored, and the person is never locked out afterwards (issue 17, 1-2)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from ideas.models import Cluster, Idea
from moderation.models import ModerationSettings
from tests.workshops import test_consumer
from tests.workshops.test_consumer import (
    Connect,
    assert_usable,
    headers_for,
    receive,
    snapshot_of,
)
from workshops.consumers import MAX_FRAME_DEPTH, RoomConsumer
from workshops.models import Participant, Workshop

open_socket = test_consumer.open_socket  # the fixture that closes every socket afterwards

pytestmark = pytest.mark.django_db(transaction=True)

NESTED = '{"type":"ping","x":' + "[" * 3000 + "]" * 3000 + "}"
SURROGATE = "\\ud800"  # as a client writes it in JSON: an escape for half a character


def lock_out_limit() -> int:
    return int(settings.SAMSKAB["MAX_CONNECTIONS_PER_PARTICIPANT"])


async def answered_and_open(socket: WebsocketCommunicator, raw: str) -> dict[str, Any]:
    """Send a raw text frame; return the answer after checking the socket still works."""
    await socket.send_to(text_data=raw)
    answer = await receive(socket)
    await assert_usable(socket)
    return answer


async def as_many_sockets_as_allowed(open_socket: Connect, client: Client, code: str) -> None:
    """The participant can still open every socket they are allowed: nobody is locked out."""
    for _ in range(lock_out_limit()):
        socket = await open_socket(client, code)
        await snapshot_of(socket)


async def test_a_deeply_nested_frame_is_answered_and_never_locks_the_person_out(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    assert len(NESTED.encode()) <= settings.SAMSKAB["MAX_FRAME_BYTES"]
    for _ in range(lock_out_limit() + 1):
        socket = await open_socket(citizen_client, workshop.join_code)
        await snapshot_of(socket)

        answer = await answered_and_open(socket, NESTED)

        assert (answer["type"], answer["code"]) == ("error", "malformed")
        assert answer["message"]
        await socket.disconnect()

    await as_many_sockets_as_allowed(open_socket, citizen_client, workshop.join_code)


async def test_nesting_up_to_the_limit_is_still_a_frame(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)
    inside = "[" * (MAX_FRAME_DEPTH - 1) + "]" * (MAX_FRAME_DEPTH - 1)
    text = '"[[[ not nesting, only text {{{"'

    answer = await answered_and_open(
        socket, '{"type":"ping","request_id":"deep","x":' + inside + ',"y":' + text + "}"
    )

    assert answer == {"type": "pong", "request_id": "deep"}
    too_deep = "[" * MAX_FRAME_DEPTH + "]" * MAX_FRAME_DEPTH
    answer = await answered_and_open(socket, '{"type":"ping","x":' + too_deep + "}")
    assert (answer["type"], answer["code"]) == ("error", "malformed")


def _frames_with_a_lone_surrogate(idea_id: int) -> list[str]:
    return [
        '{"type":"idea.post","client_key":"surrogate-01","text":"Benches ' + SURROGATE + '"}',
        '{"type":"participant.rename","display_name":"Otter ' + SURROGATE + '"}',
        f'{{"type":"idea.edit","idea_id":{idea_id},"text":"x{SURROGATE}"}}',
        '{"type":"ping","request_id":"' + SURROGATE + '"}',
        '{"type":"idea.post","client_key":"surrogate-02","text":"ok","request_id":"r'
        + SURROGATE
        + '"}',
        '{"type":"' + SURROGATE + '"}',
        '{"type":"idea.post","client_key":"surrogate-03","text":"ok","extra":["'
        + SURROGATE
        + '"]}',
    ]


async def test_a_lone_surrogate_anywhere_is_answered_and_nothing_is_stored(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    you = (await snapshot_of(socket))["you"]
    await socket.send_json_to(
        {"type": "idea.post", "client_key": "surrogate-00", "text": "Benches", "request_id": "a"}
    )
    while (posted := await receive(socket))["type"] != "ack":
        pass
    idea_id = posted["data"]["idea"]["id"]

    for raw in _frames_with_a_lone_surrogate(idea_id):
        answer = await answered_and_open(socket, raw)
        assert (answer["type"], answer["code"], answer["request_id"]) == (
            "error",
            "malformed",
            None,
        ), raw

    assert await database_sync_to_async(
        lambda: list(Idea.objects.values_list("text", flat=True))
    )() == ["Benches"]
    name = await database_sync_to_async(
        lambda: Participant.objects.get(pk=you["participant_id"]).display_name
    )()
    assert name == "Curious Otter 42"
    await socket.disconnect()
    await as_many_sockets_as_allowed(open_socket, citizen_client, workshop.join_code)


async def test_a_facilitators_lone_surrogates_are_answered_and_nothing_is_stored(
    open_socket: Connect, facilitator_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(facilitator_client, workshop.join_code)
    await snapshot_of(socket)

    for raw in [
        '{"type":"cluster.create","name":"Parks ' + SURROGATE + '"}',
        '{"type":"moderation.configure","mode":"post","flag_threshold":3,'
        '"retention_days":30,"word_list":"idiot' + SURROGATE + '"}',
    ]:
        answer = await answered_and_open(socket, raw)
        assert (answer["type"], answer["code"]) == ("error", "malformed"), raw

    assert not await database_sync_to_async(Cluster.objects.exists)()
    word_lists = await database_sync_to_async(
        lambda: list(ModerationSettings.objects.values_list("word_list", flat=True))
    )()
    assert not any("idiot" in words for words in word_lists)


async def test_an_emoji_written_as_an_escaped_pair_is_text(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    await socket.send_to(
        text_data='{"type":"idea.post","client_key":"emoji-pair-1","text":"Parks \\ud83c\\udf33",'
        '"request_id":"e"}'
    )

    while (answer := await receive(socket))["type"] != "ack":
        assert answer["type"] != "error", answer
    assert answer["data"]["idea"]["text"] == "Parks \U0001f333"


async def test_a_fault_in_a_command_is_answered_and_the_socket_stays(
    open_socket: Connect,
    citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug of ours (here: a command that fails) still answers, with server_error."""
    from workshops import registry

    def broken(actor: Any, frame: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setitem(registry.COMMANDS, "idea.post", registry.Command(broken))
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    answer = await answered_and_open(socket, '{"type":"idea.post","request_id":"b1"}')

    assert (answer["type"], answer["code"], answer["request_id"]) == (
        "error",
        "server_error",
        "b1",
    )
    assert answer["message"]
    assert "a bug" in caplog.text  # a fault of ours is still written to the log


async def test_a_socket_that_crashes_gives_its_connection_back(
    open_socket: Connect,
    citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever ends a socket, even a crash of the consumer, its count is given back."""

    async def crash(self: RoomConsumer, **_frame: Any) -> None:
        raise RuntimeError("the consumer crashed")

    path = f"/ws/workshops/{workshop.join_code}/"
    for _ in range(lock_out_limit() + 1):
        # Not through open_socket: a crashed socket cannot be closed again afterwards.
        socket = WebsocketCommunicator(application, path, headers=headers_for(citizen_client))
        assert (await socket.connect(timeout=3))[0]
        await snapshot_of(socket)
        with monkeypatch.context() as patched:
            patched.setattr(RoomConsumer, "receive", crash)
            await socket.send_to(text_data='{"type":"ping"}')
            with pytest.raises(RuntimeError):
                await socket.receive_output(timeout=3)

    await as_many_sockets_as_allowed(open_socket, citizen_client, workshop.join_code)
