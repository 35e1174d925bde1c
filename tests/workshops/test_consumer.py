"""The room's WebSocket, driven through the real ASGI application with real sessions."""

from __future__ import annotations

import json
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.asgi import application
from ideas.models import Idea
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 3
LOCAL = b"http://localhost"

Connect = Callable[..., Awaitable[WebsocketCommunicator]]


def headers_for(client: Client | None, origin: bytes = LOCAL) -> list[tuple[bytes, bytes]]:
    # A browser's handshake: the page's origin, and the address it opens (Host).
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if client is not None:
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_id}".encode()))
    return headers


@pytest.fixture
async def open_socket() -> AsyncIterator[Connect]:
    """Open room sockets the way a page does; every one is closed after the test."""
    opened: list[WebsocketCommunicator] = []

    async def connect(
        client: Client | None,
        code: str,
        *,
        origin: bytes = LOCAL,
        query: str = "",
        expect_connected: bool = True,
    ) -> WebsocketCommunicator:
        path = f"/ws/workshops/{code}/" + (f"?{query}" if query else "")
        socket = WebsocketCommunicator(application, path, headers=headers_for(client, origin))
        opened.append(socket)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected is expect_connected
        return socket

    yield connect
    for socket in opened:
        await socket.disconnect()


# Events that came in one batch frame and were not read yet, per socket.
_UNREAD: weakref.WeakKeyDictionary[WebsocketCommunicator, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


async def receive(socket: WebsocketCommunicator) -> dict[str, Any]:
    """The next frame, as a page sees it: the events of a batch one by one."""
    unread = _UNREAD.setdefault(socket, [])
    if not unread:
        frame = await socket.receive_json_from(timeout=TIMEOUT)
        unread.extend(frame["events"] if frame["type"] == "batch" else [frame])
    return unread.pop(0)


async def nothing_arrives(socket: WebsocketCommunicator, timeout: float = 0.3) -> bool:
    return not _UNREAD.get(socket) and await socket.receive_nothing(timeout=timeout)


async def snapshot_of(socket: WebsocketCommunicator) -> dict[str, Any]:
    frame = await receive(socket)
    assert frame["type"] == "snapshot", frame
    return frame["data"]


async def receive_until(socket: WebsocketCommunicator, kinds: set[str]) -> dict[str, Any]:
    """The frames of these types, by type, whatever order they arrive in."""
    frames: dict[str, Any] = {}
    while set(frames) != kinds:
        frame = await receive(socket)
        assert frame["type"] in kinds, f"unexpected {frame}"
        frames[frame["type"]] = frame
    return frames


async def assert_refused_at_connect(
    socket: WebsocketCommunicator, code: str, message: str | None = None, *, close: int = 4403
) -> None:
    """The socket is told why (an error frame answering no request) and closed with `close`."""
    error = await receive(socket)
    assert (error["type"], error["request_id"], error["code"]) == ("error", None, code), error
    if message is not None:
        assert error["message"] == message
    else:
        assert error["message"]
    assert await socket.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": close,
    }


async def assert_usable(socket: WebsocketCommunicator) -> None:
    await socket.send_json_to({"type": "ping", "request_id": "still-there"})
    assert await receive(socket) == {"type": "pong", "request_id": "still-there"}


@database_sync_to_async
def idea_texts(workshop: Workshop) -> list[str]:
    return list(Idea.objects.filter(workshop=workshop).values_list("text", flat=True))


@database_sync_to_async
def phase_of(workshop: Workshop) -> str:
    return Workshop.objects.get(pk=workshop.pk).phase


def post_frame(text: str, key: str = "ws-key-0001", request_id: str = "r1") -> dict[str, Any]:
    return {"type": "idea.post", "text": text, "client_key": key, "request_id": request_id}


async def test_the_snapshot_comes_first_with_the_wall_and_who_you_are(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    await database_sync_to_async(IdeaFactory)(
        author=await database_sync_to_async(ParticipantFactory)(workshop=workshop),
        text="Open late on Fridays",
    )

    socket = await open_socket(citizen_client, workshop.join_code)

    snapshot = await snapshot_of(socket)
    assert [idea["text"] for idea in snapshot["ideas"]] == ["Open late on Fridays"]
    assert snapshot["you"]["role"] == "citizen"
    assert snapshot["you"]["display_name"] == "Curious Otter 42"
    assert snapshot["workshop"]["code"] == workshop.join_code
    assert snapshot["workshop"]["phase"] == "ideate"
    assert snapshot["participant_count"] == 2


async def test_a_posted_idea_is_acknowledged_and_reaches_the_others(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    workshop: Workshop,
) -> None:
    poster = await open_socket(citizen_client, workshop.join_code)
    watcher = await open_socket(second_citizen_client, workshop.join_code)
    await snapshot_of(poster)
    await snapshot_of(watcher)

    await poster.send_json_to(post_frame(f"Free wifi {HOSTILE_HTML}"))

    frames = await receive_until(poster, {"ack", "idea.posted"})
    ack = frames["ack"]
    assert ack["request_id"] == "r1"
    assert ack["data"]["created"] is True
    assert ack["data"]["client_key"] == "ws-key-0001"
    assert ack["data"]["idea"]["text"] == "Free wifi alert(1)"
    event = await receive(watcher)
    assert event == {"type": "idea.posted", "data": {"idea": ack["data"]["idea"]}}
    assert await idea_texts(workshop) == ["Free wifi alert(1)"]


async def test_a_resend_is_acknowledged_once_more_without_a_second_idea(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    workshop: Workshop,
) -> None:
    poster = await open_socket(citizen_client, workshop.join_code)
    watcher = await open_socket(second_citizen_client, workshop.join_code)
    await snapshot_of(poster)
    await snapshot_of(watcher)
    await poster.send_json_to(post_frame("Free wifi"))
    first = (await receive_until(poster, {"ack", "idea.posted"}))["ack"]
    await receive(watcher)

    await poster.send_json_to(post_frame("Free wifi", request_id="r2"))

    again = await receive(poster)
    assert again["type"] == "ack"
    assert again["request_id"] == "r2"
    assert again["data"]["created"] is False
    assert again["data"]["idea"]["id"] == first["data"]["idea"]["id"]
    assert await nothing_arrives(watcher)
    assert await nothing_arrives(poster, 0.1)
    assert await idea_texts(workshop) == ["Free wifi"]


async def test_a_citizen_cannot_move_the_room(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    await socket.send_json_to({"type": "phase.change", "phase": "closed", "request_id": "p1"})

    error = await receive(socket)
    assert error["type"] == "error"
    assert error["code"] == "forbidden"
    assert error["request_id"] == "p1"
    assert error["message"]
    assert await phase_of(workshop) == Phase.IDEATE


async def test_the_facilitator_moves_the_room_and_every_screen_hears_it(
    open_socket: Connect,
    facilitator_client: Client,
    citizen_client: Client,
    workshop: Workshop,
) -> None:
    console = await open_socket(facilitator_client, workshop.join_code)
    phone = await open_socket(citizen_client, workshop.join_code)
    assert (await snapshot_of(console))["you"]["role"] == "facilitator"
    await snapshot_of(phone)

    await console.send_json_to(
        {"type": "phase.change", "phase": "closed", "duration_seconds": None, "request_id": "p1"}
    )

    ack = (await receive_until(console, {"ack", "phase.changed"}))["ack"]
    assert ack["data"]["workshop"]["phase"] == "closed"
    event = await receive(phone)
    assert event["type"] == "phase.changed"
    assert event["data"]["workshop"]["phase"] == "closed"
    assert await phase_of(workshop) == Phase.CLOSED


async def test_permission_is_checked_on_every_message_not_only_at_connect(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)
    await database_sync_to_async(Workshop.objects.filter(pk=workshop.pk).update)(phase=Phase.CLOSED)

    await socket.send_json_to(post_frame("Too late"))

    error = await receive(socket)
    assert (error["type"], error["code"]) == ("error", "wrong_phase")
    assert await idea_texts(workshop) == []


async def test_an_observer_watches_but_cannot_post(
    open_socket: Connect, client: Client, workshop: Workshop
) -> None:
    await database_sync_to_async(client.get)(
        reverse("workshops:observe", kwargs={"token": workshop.observer_token})
    )
    socket = await open_socket(client, workshop.join_code)
    assert (await snapshot_of(socket))["you"]["role"] == "observer"

    await socket.send_json_to(post_frame("Watching"))

    assert (await receive(socket))["code"] == "forbidden"
    assert await idea_texts(workshop) == []


async def test_the_projector_sees_what_the_room_sees(
    open_socket: Connect, facilitator_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(facilitator_client, workshop.join_code, query="view=projector")

    assert (await snapshot_of(socket))["you"]["role"] == "observer"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("this is not json", "malformed"),
        ('["idea.post", "Free wifi"]', "malformed"),
        ('{"text": "no type"}', "malformed"),
        ('{"type": 7}', "malformed"),
        ('{"type": "idea.delete_everything"}', "unknown_type"),
        (json.dumps(post_frame("x" * 9000)), "too_large"),
        (b"\x00\x01binary", "malformed"),
        ('{"type": "idea.post", "request_id": ["not", "a", "string"]}', "invalid"),
    ],
    ids=[
        "not-json",
        "array",
        "no-type",
        "type-not-text",
        "unknown-type",
        "oversize",
        "binary",
        "bad-request-id",
    ],
)
async def test_a_malformed_frame_gets_an_error_and_the_socket_stays_usable(
    open_socket: Connect,
    citizen_client: Client,
    workshop: Workshop,
    frame: str | bytes,
    code: str,
) -> None:
    socket = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(socket)

    if isinstance(frame, bytes):
        await socket.send_to(bytes_data=frame)
    else:
        await socket.send_to(text_data=frame)

    error = await receive(socket)
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]
    await assert_usable(socket)
    assert await idea_texts(workshop) == []


async def test_a_foreign_page_cannot_open_the_room(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    await open_socket(
        citizen_client, workshop.join_code, origin=b"http://evil.example", expect_connected=False
    )


@pytest.mark.parametrize(
    "origin",
    [
        b"http://localhost:1",  # the same host, another port: another site
        b"https://localhost",  # another scheme
        b"http://localhost.evil.example",
        b"null",
    ],
)
async def test_only_the_exact_origin_of_the_site_may_open_the_room(
    open_socket: Connect, citizen_client: Client, workshop: Workshop, origin: bytes
) -> None:
    await open_socket(citizen_client, workshop.join_code, origin=origin, expect_connected=False)


async def test_a_handshake_without_an_origin_is_refused(
    citizen_client: Client, workshop: Workshop
) -> None:
    headers = [header for header in headers_for(citizen_client) if header[0] != b"origin"]
    socket = WebsocketCommunicator(application, f"/ws/workshops/{workshop.join_code}/", headers)

    connected, _ = await socket.connect(timeout=TIMEOUT)

    # Refused before the handshake completes (a server answers it with HTTP 403).
    assert not connected


async def test_a_trusted_origin_may_open_the_room(
    citizen_client: Client, workshop: Workshop, settings: Any
) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://samskab.example.dk"]
    headers = headers_for(citizen_client, origin=b"https://samskab.example.dk")
    socket = WebsocketCommunicator(application, f"/ws/workshops/{workshop.join_code}/", headers)

    connected, _ = await socket.connect(timeout=TIMEOUT)

    assert connected
    await socket.disconnect()


async def test_someone_who_has_not_joined_is_told_and_closed_out(
    open_socket: Connect, workshop: Workshop
) -> None:
    socket = await open_socket(None, workshop.join_code)

    await assert_refused_at_connect(socket, "forbidden", "Join the workshop first.")


async def test_an_unknown_code_is_closed_as_not_found(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    socket = await open_socket(citizen_client, "ZZZZZZ")

    await assert_refused_at_connect(socket, "not_found", close=4404)


async def test_a_reconnecting_phone_catches_up_from_the_snapshot(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    workshop: Workshop,
) -> None:
    away = await open_socket(citizen_client, workshop.join_code)
    assert (await snapshot_of(away))["ideas"] == []
    await away.disconnect()
    poster = await open_socket(second_citizen_client, workshop.join_code)
    await snapshot_of(poster)
    await poster.send_json_to(post_frame("Posted while you were away"))
    await receive_until(poster, {"ack", "idea.posted"})

    back = await open_socket(citizen_client, workshop.join_code)

    snapshot = await snapshot_of(back)
    assert [idea["text"] for idea in snapshot["ideas"]] == ["Posted while you were away"]
    assert snapshot["you"]["display_name"] == "Curious Otter 42"
