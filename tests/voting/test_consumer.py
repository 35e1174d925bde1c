"""Voting over the room's WebSocket, through the real ASGI application and real sessions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from ideas.models import Idea
from tests.conftest import join_by_page
from tests.factories import IdeaFactory, ParticipantFactory
from tests.voting.conftest import TallyWindows
from tests.workshops.test_consumer import headers_for, nothing_arrives, receive
from voting import tally
from voting.models import Ballot, Vote
from workshops.models import Participant, Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 3

Connect = Callable[[Client], Awaitable[WebsocketCommunicator]]


@pytest.fixture
def room(workshop: Workshop) -> Workshop:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE)
    return Workshop.objects.get(pk=workshop.pk)


@pytest.fixture
def wall(room: Workshop) -> list[Idea]:
    author = ParticipantFactory(workshop=room)
    return [
        IdeaFactory(author=author, text=text, client_key=f"socket-idea-{index}")
        for index, text in enumerate(["Open late on Fridays", "Free wifi"])
    ]


@pytest.fixture
def phone(room: Workshop) -> Client:
    return join_by_page(Client(), room, "Curious Otter 42")


@pytest.fixture
def neighbour(room: Workshop) -> Client:
    return join_by_page(Client(), room, "Brave Lynx 17")


@pytest.fixture
def laptop(room: Workshop) -> Client:
    client = Client()
    client.force_login(room.owner)
    return client


@pytest.fixture
async def open_socket(room: Workshop) -> AsyncIterator[Connect]:
    opened: list[WebsocketCommunicator] = []

    async def connect(client: Client) -> WebsocketCommunicator:
        socket = WebsocketCommunicator(
            application, f"/ws/workshops/{room.join_code}/", headers=headers_for(client)
        )
        opened.append(socket)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected
        frame = await receive(socket)
        assert frame["type"] == "snapshot", frame
        return socket

    yield connect
    for socket in opened:
        await socket.disconnect()


async def answer(socket: WebsocketCommunicator, request_id: str) -> dict[str, Any]:
    """The ack or error for this request, skipping room traffic in between."""
    while True:
        frame = await receive(socket)
        if frame.get("request_id") == request_id:
            return frame


def vote_frame(idea: Idea, dots: Any, request_id: str = "v1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "vote.set",
        "request_id": request_id,
        "target_type": "idea",
        "target_id": idea.pk,
        "dots": dots,
        **extra,
    }


@database_sync_to_async
def dots_by_participant(room: Workshop) -> dict[str, int]:
    totals: dict[str, int] = {}
    for vote in Vote.objects.filter(ballot__workshop=room).select_related("participant"):
        name = vote.participant.display_name
        totals[name] = totals.get(name, 0) + vote.weight
    return totals


async def test_a_vote_is_acknowledged_with_the_exact_budget_and_reaches_the_other_tab(
    open_socket: Connect, phone: Client, neighbour: Client, wall: list[Idea]
) -> None:
    tab_one = await open_socket(phone)
    tab_two = await open_socket(phone)
    other = await open_socket(neighbour)

    await tab_one.send_json_to(vote_frame(wall[0], 2))

    ack = await answer(tab_one, "v1")
    assert ack["type"] == "ack", ack
    assert ack["data"]["remaining"] == 3
    assert ack["data"]["votes"] == [
        {"target_type": "idea", "target_id": wall[0].pk, "weight": 2, "rank": None}
    ]
    seen = await receive(tab_two)
    assert seen == {"type": "ballot.updated", "data": ack["data"]}
    assert await nothing_arrives(other), "another participant heard my ballot"


async def test_a_frame_naming_a_participant_is_refused(
    open_socket: Connect, phone: Client, neighbour: Client, wall: list[Idea]
) -> None:
    """Who votes is the socket's own participant; a frame has no field to name another."""
    victim = await database_sync_to_async(
        lambda: Participant.objects.get(display_name="Brave Lynx 17")
    )()
    socket = await open_socket(phone)

    await socket.send_json_to(vote_frame(wall[0], 1, participant_id=victim.pk))

    refused = await answer(socket, "v1")
    assert (refused["type"], refused["code"]) == ("error", "invalid")
    assert "participant_id" in refused["message"]
    assert await dots_by_participant(wall[0].workshop) == {}


@pytest.mark.parametrize(
    ("dots", "code", "message"),
    [
        (4, "invalid", "At most 3 dots can go on one item."),
        ("3", "invalid", "The field “dots” must be a whole number."),
        (True, "invalid", "The field “dots” must be a whole number."),
        (-1, "invalid", "The number of dots cannot be negative."),
    ],
)
async def test_bad_votes_are_answered_with_the_reason_and_change_nothing(
    open_socket: Connect, phone: Client, wall: list[Idea], dots: Any, code: str, message: str
) -> None:
    socket = await open_socket(phone)

    await socket.send_json_to(vote_frame(wall[0], dots))

    error = await answer(socket, "v1")
    assert (error["type"], error["code"], error["message"]) == ("error", code, message)
    assert await dots_by_participant(wall[0].workshop) == {}


async def test_the_budget_holds_across_two_tabs(
    open_socket: Connect, phone: Client, wall: list[Idea]
) -> None:
    tab_one = await open_socket(phone)
    tab_two = await open_socket(phone)

    await tab_one.send_json_to(vote_frame(wall[0], 3, "a"))
    await tab_two.send_json_to(vote_frame(wall[1], 3, "b"))
    replies = [await answer(tab_one, "a"), await answer(tab_two, "b")]

    # Whichever tab came second found only two dots left.
    assert sorted(reply["type"] for reply in replies) == ["ack", "error"]
    [refused] = [reply for reply in replies if reply["type"] == "error"]
    assert (refused["code"], refused["message"]) == ("conflict", "You have 2 dots left.")
    assert await dots_by_participant(wall[0].workshop) == {"Curious Otter 42": 3}


async def test_hidden_tallies_reach_the_facilitator_and_never_a_phone(
    open_socket: Connect,
    phone: Client,
    neighbour: Client,
    laptop: Client,
    wall: list[Idea],
    tally_windows: TallyWindows,
) -> None:
    voter = await open_socket(phone)
    watcher = await open_socket(neighbour)
    console = await open_socket(laptop)

    await voter.send_json_to(vote_frame(wall[1], 2))
    assert (await answer(voter, "v1"))["type"] == "ack"
    await database_sync_to_async(tally_windows.close)()

    tallied = await receive(console)
    assert tallied["type"] == "votes.tallied"
    assert tallied["data"]["revealed"] is False
    assert [(t["target_id"], t["total"], t["supporters"]) for t in tallied["data"]["tallies"]] == [
        (wall[1].pk, 2, 1)
    ]
    # The other phone hears how many have voted, and nothing of the tallies.
    counted = await receive(watcher)
    assert (counted["type"], counted["data"]["voters"]) == ("votes.counted", 1)
    assert "tallies" not in counted["data"]
    assert await nothing_arrives(watcher), "a phone heard hidden tallies"

    # Once revealed, everyone hears the tallies.
    await console.send_json_to({"type": "tallies.reveal", "request_id": "r"})
    assert (await answer(console, "r"))["type"] == "ack"
    revealed = await receive(watcher)
    assert revealed["type"] == "tallies.revealed"
    assert revealed["data"]["tallies"][0]["total"] == 2


async def test_a_citizen_cannot_reveal_or_configure(
    open_socket: Connect, phone: Client, room: Workshop
) -> None:
    socket = await open_socket(phone)

    await socket.send_json_to({"type": "tallies.reveal", "request_id": "r"})
    await socket.send_json_to(
        {
            "type": "voting.configure",
            "request_id": "c",
            "method": "approval",
            "target": "idea",
            "dots_per_participant": 5,
            "max_dots_per_item": 3,
            "rank_count": 3,
            "show_live": True,
        }
    )

    assert (await answer(socket, "r"))["code"] == "forbidden"
    assert (await answer(socket, "c"))["code"] == "forbidden"


async def test_the_facilitator_configures_over_the_socket(
    open_socket: Connect, laptop: Client, phone: Client
) -> None:
    console = await open_socket(laptop)
    citizen = await open_socket(phone)

    await console.send_json_to(
        {
            "type": "voting.configure",
            "request_id": "c",
            "method": "ranking",
            "target": "idea",
            "dots_per_participant": 5,
            "max_dots_per_item": 3,
            "rank_count": 4,
            "show_live": False,
        }
    )

    ack = await answer(console, "c")
    assert ack["type"] == "ack", ack
    assert ack["data"]["ballot"]["budget"] == 4
    heard = await receive(citizen)
    assert heard["type"] == "voting.configured"
    assert heard["data"]["ballot"]["method"] == "ranking"


async def test_the_tally_is_sent_from_the_servers_event_loop(
    open_socket: Connect,
    phone: Client,
    neighbour: Client,
    wall: list[Idea],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real window timer: its tally reaches the room through the server's own loop.

    Sent from a thread of its own, the in-memory layer queues the tally for the room's
    hub without waking the server, and screens wait for whatever wakes it next.
    """
    monkeypatch.setattr(tally, "schedule", tally._run_later)
    await database_sync_to_async(Ballot.objects.update_or_create, thread_sensitive=True)(
        workshop=wall[0].workshop, defaults={"show_live": True}
    )
    layer = get_channel_layer()
    sent_from: list[threading.Thread] = []
    group_send = layer.group_send

    async def recording_group_send(group: str, message: dict[str, Any]) -> None:
        if message.get("event", {}).get("type") == "votes.tallied":
            sent_from.append(threading.current_thread())
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", recording_group_send)
    voter = await open_socket(phone)
    watcher = await open_socket(neighbour)

    await voter.send_json_to(vote_frame(wall[0], 2))
    assert (await answer(voter, "v1"))["type"] == "ack"

    while (frame := await receive(watcher))["type"] != "votes.tallied":
        pass
    assert [(t["target_id"], t["total"]) for t in frame["data"]["tallies"]] == [(wall[0].pk, 2)]
    assert sent_from == [threading.main_thread()]


async def facilitator_says(console: WebsocketCommunicator, frame: dict[str, Any]) -> None:
    await console.send_json_to(frame)
    reply = await answer(console, frame["request_id"])
    assert reply["type"] == "ack", reply


@database_sync_to_async
def participant_named(room: Workshop, name: str) -> Participant:
    return Participant.objects.get(workshop=room, display_name=name)


async def test_a_mute_an_unmute_and_a_phase_change_hold_for_the_very_next_vote(
    open_socket: Connect, phone: Client, laptop: Client, wall: list[Idea]
) -> None:
    """The socket keeps who it is; what the room did since holds at once all the same."""
    voter = await open_socket(phone)
    console = await open_socket(laptop)
    otter = await participant_named(wall[0].workshop, "Curious Otter 42")
    await voter.send_json_to(vote_frame(wall[0], 1, "before"))
    assert (await answer(voter, "before"))["type"] == "ack"

    await facilitator_says(
        console, {"type": "participant.mute", "participant_id": otter.pk, "request_id": "m"}
    )
    await voter.send_json_to(vote_frame(wall[1], 1, "muted"))
    refused = await answer(voter, "muted")
    assert (refused["type"], refused["code"]) == ("error", "forbidden"), refused
    assert "muted" in refused["message"]

    await facilitator_says(
        console, {"type": "participant.unmute", "participant_id": otter.pk, "request_id": "u"}
    )
    await voter.send_json_to(vote_frame(wall[1], 1, "unmuted"))
    assert (await answer(voter, "unmuted"))["type"] == "ack"

    await facilitator_says(console, {"type": "phase.change", "phase": "results", "request_id": "p"})
    await voter.send_json_to(vote_frame(wall[0], 2, "late"))
    late = await answer(voter, "late")
    assert (late["type"], late["code"]) == ("error", "wrong_phase"), late
    assert await dots_by_participant(wall[0].workshop) == {"Curious Otter 42": 2}


async def test_a_removed_participant_votes_no_more_even_from_a_socket_still_open(
    open_socket: Connect,
    phone: Client,
    laptop: Client,
    wall: list[Idea],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    voter = await open_socket(phone)
    console = await open_socket(laptop)
    otter = await participant_named(wall[0].workshop, "Curious Otter 42")
    # The removal's hang-up has not reached this socket yet (a slow bus, another server).
    monkeypatch.setattr(
        "workshops.consumers.RoomConsumer.hub_close", lambda self, message: asyncio.sleep(0)
    )

    await facilitator_says(
        console, {"type": "participant.remove", "participant_id": otter.pk, "request_id": "r"}
    )
    await voter.send_json_to(vote_frame(wall[0], 1, "after"))
    refused = await answer(voter, "after")
    assert (refused["type"], refused["code"]) == ("error", "forbidden"), refused
    assert await dots_by_participant(wall[0].workshop) == {}


async def test_votes_arriving_together_are_each_answered_and_counted_once(
    open_socket: Connect, phone: Client, neighbour: Client, wall: list[Idea]
) -> None:
    """Sent at once from three sockets, the votes share commits; every reply is its own."""
    otter = await open_socket(phone)
    otter_tab = await open_socket(phone)
    lynx = await open_socket(neighbour)

    await otter.send_json_to(vote_frame(wall[0], 3, "o1"))
    await otter_tab.send_json_to(vote_frame(wall[1], 3, "o2"))
    await lynx.send_json_to(vote_frame(wall[1], 2, "l1"))
    await lynx.send_json_to(vote_frame(wall[1], 2, "l2"))  # a resend: lands once
    await lynx.send_json_to(vote_frame(wall[0], 9, "l3"))  # beyond one item's cap

    replies = {
        "o1": await answer(otter, "o1"),
        "o2": await answer(otter_tab, "o2"),
        "l1": await answer(lynx, "l1"),
        "l2": await answer(lynx, "l2"),
        "l3": await answer(lynx, "l3"),
    }
    # One of the otter's tabs found two dots left.
    assert sorted(replies[key]["type"] for key in ("o1", "o2")) == ["ack", "error"]
    assert {replies[key].get("code") for key in ("o1", "o2")} == {None, "conflict"}
    assert replies["l1"]["type"] == replies["l2"]["type"] == "ack"
    assert replies["l2"]["data"]["remaining"] == 3
    assert (replies["l3"]["type"], replies["l3"]["code"]) == ("error", "invalid")
    assert await dots_by_participant(wall[0].workshop) == {
        "Curious Otter 42": 3,
        "Brave Lynx 17": 2,
    }


async def frames_until_quiet(
    socket: WebsocketCommunicator, *, until: set[str]
) -> list[dict[str, Any]]:
    """Every frame the socket hears until these requests are answered and it falls quiet."""
    frames: list[dict[str, Any]] = []
    while until - {frame.get("request_id") for frame in frames} or not await nothing_arrives(
        socket
    ):
        frames.append(await receive(socket))
    return frames


@pytest.mark.parametrize("method", ["approval", "ranking"])
async def test_approvals_and_rankings_arriving_together_are_each_answered_and_kept_to_their_tabs(
    open_socket: Connect, phone: Client, neighbour: Client, wall: list[Idea], method: str
) -> None:
    await database_sync_to_async(Ballot.objects.create)(
        workshop=wall[0].workshop, method=method, rank_count=2
    )
    otter = await open_socket(phone)
    otter_tab = await open_socket(phone)
    lynx = await open_socket(neighbour)
    first, second, nowhere = wall[0].pk, wall[1].pk, 10**9

    def vote(request_id: str, targets: list[int]) -> dict[str, Any]:
        frame = {"request_id": request_id, "target_type": "idea"}
        if method == "approval":
            return {**frame, "type": "vote.approve", "target_id": targets[0], "approved": True}
        return {**frame, "type": "vote.rank", "order": targets}

    await otter.send_json_to(vote("o1", [first]))
    await otter_tab.send_json_to(vote("o2", [second, first]))
    await lynx.send_json_to(vote("l1", [second]))
    await lynx.send_json_to(vote("l2", [second]))  # a resend: lands once
    await lynx.send_json_to(vote("l3", [nowhere]))  # no such idea

    heard = {
        "otter": await frames_until_quiet(otter, until={"o1"}),
        "otter_tab": await frames_until_quiet(otter_tab, until={"o2"}),
        "lynx": await frames_until_quiet(lynx, until={"l1", "l2", "l3"}),
    }
    replies = {
        frame["request_id"]: frame
        for frames in heard.values()
        for frame in frames
        if frame.get("request_id")
    }
    assert [replies[key]["type"] for key in ("o1", "o2", "l1", "l2")] == ["ack"] * 4
    assert (replies["l3"]["code"], replies["l3"]["message"]) == (
        "not_found",
        "That idea does not exist.",
    )
    assert replies["l1"]["data"] == replies["l2"]["data"]
    # The otter's two tabs voted at once: the later answer holds what is kept.
    later = max(("o1", "o2"), key=lambda key: replies[key]["data"]["revision"])
    latest = replies[later]["data"]
    if method == "approval":
        otter_kept = {first: 1, second: 1}
    else:
        # A ranking replaces the last: the later one is kept whole.
        otter_kept = {first: 2} if later == "o1" else {second: 2, first: 1}
    assert {vote["target_id"]: vote["weight"] for vote in latest["votes"]} == otter_kept
    assert await dots_by_participant(wall[0].workshop) == {
        "Curious Otter 42": sum(otter_kept.values()),
        "Brave Lynx 17": 1 if method == "approval" else 2,
    }
    # Each person's ballot updates reach their own tabs, and never the other's.
    for tab, own in (("otter", latest), ("otter_tab", latest), ("lynx", replies["l1"]["data"])):
        updates = [frame["data"] for frame in heard[tab] if frame["type"] == "ballot.updated"]
        assert updates, f"{tab} never heard its own ballot"
        assert max(updates, key=lambda update: update["revision"]) == own
