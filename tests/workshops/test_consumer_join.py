"""Joining over the room's socket: the join page's socket takes the name, then is the room's."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.asgi import application
from moderation.services import participant_remove
from tests.factories import actor_for
from tests.workshops.test_consumer import (
    TIMEOUT,
    Connect,
    assert_refused_at_connect,
    assert_usable,
    headers_for,
    nothing_arrives,
    open_socket,
    post_frame,
    receive,
    receive_until,
    snapshot_of,
)
from workshops import hub
from workshops.actors import PARTICIPANTS_SESSION_KEY
from workshops.models import Participant, Workshop
from workshops.phases import Phase
from workshops.sessions import SessionStore

__all__ = ["open_socket"]  # the fixture, shared with the socket tests

pytestmark = pytest.mark.django_db(transaction=True)

JOINING = "join=1"
SNAPSHOT = re.compile(r'<script id="room-snapshot" type="application/json">(.*?)</script>', re.S)


def join_frame(
    display_name: str | None = "Curious Otter", request_id: str = "j1"
) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "join", "request_id": request_id}
    if display_name is not None:
        frame["display_name"] = display_name
    return frame


@database_sync_to_async
def join_page(workshop: Workshop, client: Client | None = None) -> Client:
    """A phone that opened the join page (and so holds a session), as a browser does."""
    phone = client or Client()
    response = phone.get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200
    return phone


@database_sync_to_async
def observing(workshop: Workshop) -> Client:
    """A browser that opened the workshop's read-only link."""
    browser = Client()
    response = browser.get(reverse("workshops:observe", kwargs={"token": workshop.observer_token}))
    assert response.status_code == 200
    return browser


@database_sync_to_async
def participants(workshop: Workshop) -> list[tuple[int, str]]:
    return list(
        Participant.objects.filter(workshop=workshop)
        .order_by("pk")
        .values_list("pk", "display_name")
    )


@database_sync_to_async
def remove(workshop: Workshop, participant_id: int) -> None:
    participant_remove(actor=actor_for("facilitator", workshop), participant_id=participant_id)


@database_sync_to_async
def close_room(workshop: Workshop) -> None:
    closed = Workshop.objects.get(pk=workshop.pk)
    closed.phase = Phase.CLOSED
    closed.save()


@database_sync_to_async
def room_page(phone: Client, workshop: Workshop) -> Any:
    return phone.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))


@database_sync_to_async
def session_of(phone: Client) -> dict[str, Any]:
    session = SessionStore(phone.cookies[settings.SESSION_COOKIE_NAME].value)
    return dict(session.items())


async def test_the_join_page_gives_the_phone_a_session_and_nobody_joins(
    workshop: Workshop,
) -> None:
    phone = await join_page(workshop)

    # A link preview's GET: a session holding no room, and nobody in the room.
    assert await session_of(phone) == {PARTICIPANTS_SESSION_KEY: {}}
    assert await participants(workshop) == []


async def test_a_phone_joins_over_its_socket_and_gets_the_room(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)
    # While the person reads and types, the socket is in no room and hears nothing.
    assert await nothing_arrives(socket)

    await socket.send_json_to(join_frame("Curious Otter"))

    ack = await receive(socket)
    [(participant_id, _name)] = await participants(workshop)
    assert ack == {
        "type": "ack",
        "request_id": "j1",
        "data": {"participant": {"id": participant_id, "display_name": "Curious Otter"}},
    }
    snapshot = await snapshot_of(socket)
    assert snapshot["you"] == {
        "role": "citizen",
        "participant_id": participant_id,
        "display_name": "Curious Otter",
    }
    assert snapshot["participant_count"] == 1
    assert snapshot["version"]
    # The session knows the participant: a reload lands in the room as the same person.
    room = await room_page(phone, workshop)
    assert room.status_code == 200
    embedded = SNAPSHOT.search(room.content.decode())
    assert embedded is not None
    assert json.loads(embedded[1])["you"]["participant_id"] == participant_id
    # And the socket is the room's now: an idea goes up from it.
    await socket.send_json_to(post_frame("Benches by the river"))
    kinds = {(await receive(socket))["type"], (await receive(socket))["type"]}
    assert kinds == {"ack", "idea.posted"}


async def test_the_others_hear_who_joined(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    already = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(already)
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await socket.send_json_to(join_frame("Late Lynx"))

    joined = await receive(already)
    assert joined["type"] == "participant.joined"
    assert joined["data"]["participant"]["display_name"] == "Late Lynx"
    assert joined["data"]["participant_count"] == 2


async def test_joining_twice_from_one_phone_is_one_participant(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = await join_page(workshop)
    first_tab = await open_socket(phone, workshop.join_code, query=JOINING)
    # A second tab opened before the first joined: its socket still thinks it is outside.
    second_tab = await open_socket(phone, workshop.join_code, query=JOINING)

    await first_tab.send_json_to(join_frame("Curious Otter"))
    ack = await receive(first_tab)
    await snapshot_of(first_tab)
    await first_tab.send_json_to(join_frame("Someone Else", request_id="j2"))
    again = await receive(first_tab)
    await second_tab.send_json_to(join_frame("Third Name", request_id="j3"))
    other_tab = await receive(second_tab)

    [(participant_id, name)] = await participants(workshop)
    assert name == "Curious Otter"
    assert ack["data"]["participant"]["id"] == participant_id
    assert again["type"] == other_tab["type"] == "ack"
    assert again["data"] == other_tab["data"] == ack["data"]
    # The first tab was in the room already; the second enters it now.
    assert await nothing_arrives(first_tab)
    assert (await snapshot_of(second_tab))["you"]["participant_id"] == participant_id


async def test_an_empty_name_gets_a_friendly_one(open_socket: Connect, workshop: Workshop) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await socket.send_json_to(join_frame(None))

    ack = await receive(socket)
    [(_pk, name)] = await participants(workshop)
    assert ack["type"] == "ack"
    assert name.strip() and ack["data"]["participant"]["display_name"] == name


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("x" * 41, "A name can be at most 40 characters."),
        (41, "The field “display_name” must be text."),
    ],
)
async def test_a_wrong_name_is_refused_and_the_phone_may_try_again(
    open_socket: Connect, workshop: Workshop, display_name: Any, message: str
) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await socket.send_json_to({"type": "join", "request_id": "j1", "display_name": display_name})

    assert await receive(socket) == {
        "type": "error",
        "request_id": "j1",
        "code": "invalid",
        "message": message,
    }
    assert await participants(workshop) == []
    await assert_usable(socket)
    await socket.send_json_to(join_frame("Curious Otter", request_id="j2"))
    assert (await receive(socket))["type"] == "ack"


async def test_a_closed_room_takes_nobody(open_socket: Connect, workshop: Workshop) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)
    # Closed after the socket opened: the join reads the room afresh.
    await close_room(workshop)

    await socket.send_json_to(join_frame())

    assert await receive(socket) == {
        "type": "error",
        "request_id": "j1",
        "code": "wrong_phase",
        "message": "This workshop has closed and takes no new participants.",
    }
    assert await participants(workshop) == []
    assert await session_of(phone) == {PARTICIPANTS_SESSION_KEY: {}}


async def test_joining_too_often_from_one_address_is_refused(
    open_socket: Connect, workshop: Workshop, settings: Any
) -> None:
    settings.SAMSKAB_RATE_LIMITS = {**settings.SAMSKAB_RATE_LIMITS, "join_per_address": "2/m"}
    replies = []
    for n in range(3):
        phone = await join_page(workshop)
        # Three phones behind one address (a town hall's Wi-Fi).
        socket = WebsocketCommunicator(
            application, f"/ws/workshops/{workshop.join_code}/?{JOINING}", headers_for(phone)
        )
        socket.scope["client"] = ("192.0.2.7", 40000 + n)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to(join_frame(f"Otter {n}"))
        replies.append(await receive(socket))
        await socket.disconnect()

    assert [reply["type"] for reply in replies] == ["ack", "ack", "error"]
    assert replies[2]["code"] == "rate_limited"
    assert replies[2]["message"] == "That was a lot at once. Wait a moment, then try again."
    assert len(await participants(workshop)) == 2


async def test_a_removed_phone_stays_removed(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    [(participant_id, _name)] = await participants(workshop)
    await remove(workshop, participant_id)
    socket = await open_socket(citizen_client, workshop.join_code, query=JOINING)

    # Told why and closed at once: a join that cannot come is not waited for.
    await assert_refused_at_connect(
        socket, "forbidden", "A facilitator has removed you from this workshop."
    )
    assert await participants(workshop) == [(participant_id, "Curious Otter 42")]


@pytest.mark.parametrize("cookie", ["none", "expired"])
async def test_a_socket_without_a_stored_session_is_told_to_reload_and_closed(
    open_socket: Connect, workshop: Workshop, cookie: str
) -> None:
    phone = None
    if cookie == "expired":
        phone = await join_page(workshop)
        await database_sync_to_async(
            lambda: SessionStore(phone.cookies[settings.SESSION_COOKIE_NAME].value).delete()
        )()
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await assert_refused_at_connect(
        socket, "forbidden", "This page has expired. Reload it and try again."
    )
    assert await participants(workshop) == []


async def test_a_room_closed_before_the_socket_opens_closes_it(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = await join_page(workshop)
    await close_room(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await assert_refused_at_connect(
        socket, "wrong_phase", "This workshop has closed and takes no new participants."
    )


async def test_before_joining_the_socket_takes_nothing_else(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await socket.send_json_to(post_frame("Sneaked in"))

    reply = await receive(socket)
    assert (reply["type"], reply["code"], reply["message"]) == (
        "error",
        "forbidden",
        "Join the workshop first.",
    )
    await assert_usable(socket)


async def test_a_phone_that_joined_gets_the_room_at_once_on_a_joining_socket(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    # A join whose answer was lost: the page's next socket finds the phone in the room.
    socket = await open_socket(citizen_client, workshop.join_code, query=JOINING)

    snapshot = await snapshot_of(socket)

    assert snapshot["you"]["display_name"] == "Curious Otter 42"


async def test_a_browser_that_opened_the_read_only_link_joins_as_a_participant(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = await join_page(workshop, await observing(workshop))
    socket = await open_socket(phone, workshop.join_code, query=JOINING)
    # The join page waits for the room of a participant, not the observer's.
    assert await nothing_arrives(socket)

    await socket.send_json_to(join_frame("Curious Otter"))

    assert (await receive(socket))["type"] == "ack"
    snapshot = await snapshot_of(socket)
    assert snapshot["you"]["role"] == "citizen"
    assert snapshot["you"]["display_name"] == "Curious Otter"


async def test_a_socket_that_waits_too_long_for_its_join_is_told_and_closed(
    open_socket: Connect, workshop: Workshop, settings: Any
) -> None:
    settings.SAMSKAB = {**settings.SAMSKAB, "JOIN_WAIT_SECONDS": 1}
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await assert_refused_at_connect(
        socket,
        "join_timeout",
        "This page waited a long time for you to join. It connects again when you come back to it.",
        close=4408,
    )
    assert await participants(workshop) == []


async def test_a_socket_that_joined_in_time_is_kept_past_the_wait(
    open_socket: Connect, workshop: Workshop, settings: Any
) -> None:
    settings.SAMSKAB = {**settings.SAMSKAB, "JOIN_WAIT_SECONDS": 1}
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    await socket.send_json_to(join_frame("Curious Otter"))
    assert (await receive(socket))["type"] == "ack"
    await snapshot_of(socket)

    # Well past the wait: the room's socket stays.
    assert await nothing_arrives(socket, timeout=2.5)
    await assert_usable(socket)


async def test_a_count_held_back_behind_a_newer_snapshot_never_shows(
    open_socket: Connect,
    citizen_client: Client,
    second_citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Joins wait for company until another event takes them along (a crowd's pace,
    # stretched so the race below is not left to the clock).
    monkeypatch.setattr(hub, "PACE_SECONDS", 60.0)
    watcher = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(watcher)
    first = await open_socket(await join_page(workshop), workshop.join_code, query=JOINING)
    await first.send_json_to(join_frame("First Finch"))
    await receive_until(watcher, {"participant.joined"})  # the first goes at once
    for name in ("Second Swan", "Third Tern"):
        phone = await open_socket(await join_page(workshop), workshop.join_code, query=JOINING)
        await phone.send_json_to(join_frame(name))
        await receive(phone)
        await snapshot_of(phone)

    # A screen opens now: its snapshot counts both joins still held back.
    late = await open_socket(second_citizen_client, workshop.join_code)
    snapshot = await snapshot_of(late)
    await watcher.send_json_to(post_frame("Benches by the river"))
    joins = []
    while (frame := await receive(late))["type"] != "idea.posted":
        joins.append(frame["data"])

    # Their events come after it, the older count first, as the room holds them back.
    count = len(await participants(workshop))
    assert snapshot["participant_count"] == count
    assert [join["participant_count"] for join in joins] == [count - 1, count]
    # A screen that keeps a count only when it is as of a newer participant (docs/protocol.md)
    # shows the snapshot's and never the older one.
    shown = [snapshot["participant_count"]]
    as_of = snapshot["participant_count_as_of"]
    for join in joins:
        if join["participant_count_as_of"] > as_of:
            shown.append(join["participant_count"])
            as_of = join["participant_count_as_of"]
    assert shown == [count]
