"""The room's hub: one subscription per room per process, and still each person's own view."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from tests.workshops.test_consumer import (  # noqa: F401 - open_socket is a fixture
    Connect,
    assert_usable,
    open_socket,
    receive,
    snapshot_of,
)
from workshops import events, hub
from workshops.events import (
    Audience,
    disconnect_participant,
    events_held,
    events_send,
    participant_group,
    personal_together,
    publish,
    publish_to_participant,
    room_group,
)
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


def _hubs_of(workshop: Workshop) -> list[hub.RoomHub]:
    return [room for (_loop, pk), room in hub._HUBS.items() if pk == workshop.pk]


def _event(name: str, audience: Audience = Audience.EVERYONE) -> dict[str, Any]:
    """A room event as the bus carries it, told apart by a name."""
    event = {"type": "participant.renamed", "data": {"participant": {"id": 1, "name": name}}}
    return {"type": "room.event", "audience": audience.value, "event": event}


def _names(events: list[dict[str, Any]]) -> list[str]:
    return [event["data"]["participant"]["name"] for event in events]


async def test_a_room_has_one_hub_however_many_sockets_and_none_once_all_left(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    second_citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    sockets = [
        await open_socket(client, workshop.join_code)
        for client in (citizen_client, citizen_client, second_citizen_client, facilitator_client)
    ]
    for socket in sockets:
        await snapshot_of(socket)

    (room,) = _hubs_of(workshop)
    assert len(room.listeners) == 4
    # Two participants (one with two tabs): the hub's one channel hears each one's group.
    assert len(room.by_participant) == 2
    for participant in room.by_participant:
        assert set(room.layer.groups[participant_group(participant)]) == {room.channel}

    for socket in sockets:
        await socket.disconnect()
    assert _hubs_of(workshop) == []


async def test_facilitator_only_events_reach_only_facilitators(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    citizen = await open_socket(citizen_client, workshop.join_code)
    facilitator = await open_socket(facilitator_client, workshop.join_code)
    await snapshot_of(citizen)
    await snapshot_of(facilitator)
    someone = await database_sync_to_async(Participant.objects.filter(workshop=workshop).first)()
    assert someone is not None
    data: dict[str, Any] = {"participant": {"id": someone.pk, "display_name": "Only for staff"}}

    await database_sync_to_async(publish)(
        workshop, "participant.renamed", data, audience=Audience.FACILITATORS
    )

    event = await receive(facilitator)
    assert event == {"type": "participant.renamed", "data": data}
    # The citizen's next frame is the answer to its ping: the event never came.
    await assert_usable(citizen)


async def test_removing_a_participant_closes_every_tab_of_theirs_and_no_one_elses(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    second_citizen_client: Client,
    workshop: Workshop,
) -> None:
    tabs = [await open_socket(citizen_client, workshop.join_code) for _ in range(2)]
    other = await open_socket(second_citizen_client, workshop.join_code)
    for socket in (*tabs, other):
        await snapshot_of(socket)
    removed = await database_sync_to_async(Participant.objects.get)(
        workshop=workshop, display_name="Curious Otter 42"
    )

    await database_sync_to_async(disconnect_participant)(
        removed.pk, code="removed", message="A facilitator has removed you from this workshop."
    )

    for tab in tabs:
        frame = await receive(tab)
        assert frame["type"] == "error"
        assert frame["code"] == "removed"
        closed = await tab.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": 4403}
    await assert_usable(other)

    # Once the closed tabs are gone, the hub no longer hears the removed participant,
    # though each tab forgot who it was before leaving.
    for tab in tabs:
        await tab.disconnect()
    (room,) = _hubs_of(workshop)
    assert removed.pk not in room.by_participant
    assert room.channel not in room.layer.groups.get(participant_group(removed.pk), {})
    await assert_usable(other)


async def test_a_batchs_personal_events_travel_as_one_message_and_reach_only_their_own_tabs(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    second_citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    tabs = [await open_socket(citizen_client, workshop.join_code) for _ in range(2)]
    other = await open_socket(second_citizen_client, workshop.join_code)
    facilitator = await open_socket(facilitator_client, workshop.join_code)
    for socket in (*tabs, other, facilitator):
        await snapshot_of(socket)
    first = await database_sync_to_async(Participant.objects.get)(
        workshop=workshop, display_name="Curious Otter 42"
    )
    second = await database_sync_to_async(
        Participant.objects.filter(workshop=workshop).exclude(pk=first.pk).get
    )()

    def ballot(revision: int) -> dict[str, Any]:
        return {"votes": [], "remaining": 5, "revision": revision}

    def as_a_batch_publishes() -> list[tuple[str, dict[str, Any]]]:
        with events_held() as held:
            publish_to_participant(first.pk, "ballot.updated", ballot(1), workshop_id=workshop.pk)
            publish_to_participant(second.pk, "ballot.updated", ballot(7), workshop_id=workshop.pk)
            publish_to_participant(first.pk, "ballot.updated", ballot(2), workshop_id=workshop.pk)
        return held

    held = await database_sync_to_async(as_a_batch_publishes)()
    [(group, message)] = personal_together(held)
    assert group == room_group(workshop.pk)
    assert [each["participant"] for each in message["messages"]] == [first.pk, second.pk, first.pk]

    await events_send(held)

    for tab in tabs:
        assert await receive(tab) == {"type": "ballot.updated", "data": ballot(1)}
        assert await receive(tab) == {"type": "ballot.updated", "data": ballot(2)}
    assert await receive(other) == {"type": "ballot.updated", "data": ballot(7)}
    # Nobody else heard of them: each one's next frame is the answer to its ping.
    for socket in (*tabs, other, facilitator):
        await assert_usable(socket)


def test_personal_events_travel_together_only_in_runs_to_one_room_and_keep_their_order() -> None:
    def personal(participant: int, workshop: int | None) -> tuple[str, dict[str, Any]]:
        message: dict[str, Any] = {**_event("x"), "participant": participant}
        if workshop is not None:
            message["workshop"] = workshop
        return participant_group(participant), message

    room_event = (room_group(1), _event("room"))
    messages = [
        personal(1, 1),
        personal(2, 1),
        room_event,
        personal(3, 1),
        personal(4, 2),
        personal(5, None),
    ]

    together = personal_together(messages)

    assert [(group, message["type"]) for group, message in together] == [
        (room_group(1), "room.personal"),
        (room_group(1), "room.event"),
        (room_group(1), "room.personal"),
        (room_group(2), "room.personal"),
        (participant_group(5), "room.event"),
    ]
    assert [
        [each["participant"] for each in message["messages"]]
        for _group, message in together
        if message["type"] == "room.personal"
    ] == [[1, 2], [3], [4]]
    assert together[1] == room_event
    assert together[4] == messages[5]


async def test_events_arriving_together_reach_each_socket_in_one_frame_in_order(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    citizen = await open_socket(citizen_client, workshop.join_code)
    facilitator = await open_socket(facilitator_client, workshop.join_code)
    await snapshot_of(citizen)
    await snapshot_of(facilitator)
    (room,) = _hubs_of(workshop)

    # Three events reach the hub before its sender runs, as when a pass over a full
    # room is still writing: they go out as one frame per socket.
    for message in (
        _event("First"),
        _event("For staff", Audience.FACILITATORS),
        _event("Last"),
    ):
        await room._dispatch(message)

    to_citizen = await citizen.receive_json_from(timeout=3)
    to_facilitator = await facilitator.receive_json_from(timeout=3)
    names = _names(to_facilitator["events"])
    assert (to_facilitator["type"], to_facilitator["count"], names) == (
        "batch",
        3,
        ["First", "For staff", "Last"],
    )
    names = _names(to_citizen["events"])
    assert (to_citizen["type"], to_citizen["count"], names) == ("batch", 2, ["First", "Last"])
    # Nothing else followed: each event went out once.
    await assert_usable(citizen)
    await assert_usable(facilitator)


class FakeSocket:
    """A listener that records its frames; a stalled one cannot take a frame until let go."""

    hub_participant = None

    def __init__(self, *, stalled: bool = False) -> None:
        self.frames: list[str] = []
        self.resyncs = 0
        self.let_go = asyncio.Event()
        if not stalled:
            self.let_go.set()

    def hub_facilitator(self) -> bool:
        return False

    async def hub_send(self, text: str) -> None:
        await self.let_go.wait()
        self.frames.append(text)

    async def hub_close(self, message: dict[str, Any]) -> None:
        raise AssertionError("nobody was removed")

    async def hub_resync(self) -> None:
        self.resyncs += 1


async def test_a_phone_that_cannot_take_frames_holds_up_no_one_and_catches_up_after() -> None:
    room = hub.RoomHub(workshop_id=1)
    before, quiet, after = FakeSocket(), FakeSocket(stalled=True), FakeSocket()
    sockets = [before, quiet, after]
    room.listeners = dict.fromkeys(sockets)

    # The pass does not wait for the quiet phone, now or on the next event.
    await asyncio.wait_for(room._deliver(hub.Frames([_event("First")]), sockets), 1)
    await asyncio.wait_for(room._deliver(hub.Frames([_event("Second")]), sockets), 1)
    for socket in (before, after):
        assert _names([json.loads(frame) for frame in socket.frames]) == ["First", "Second"]
    assert quiet.frames == []

    # Its network comes back: the frame it was taking arrives, then the whole room.
    quiet.let_go.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert _names([json.loads(frame) for frame in quiet.frames]) == ["First"]
    assert (quiet.resyncs, before.resyncs, after.resyncs) == (1, 0, 0)


def _joined(count: int) -> dict[str, Any]:
    event = {
        "type": "participant.joined",
        "data": {
            "participant": {"id": count, "display_name": f"J{count}"},
            "participant_count": count,
        },
    }
    return {"type": "room.event", "audience": Audience.EVERYONE.value, "event": event}


async def test_a_crowds_joins_reach_the_room_together_and_other_events_take_them_along(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    workshop: Workshop,
) -> None:
    citizen = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(citizen)
    (room,) = _hubs_of(workshop)

    # Joins arriving one by one, a little apart, as a crowd does.
    for count in range(1, 6):
        await room._dispatch(_joined(count))
        await asyncio.sleep(0.05)
    first = await citizen.receive_json_from(timeout=3)
    second = await citizen.receive_json_from(timeout=3)
    # The first goes at once; the others wait for company and come as one frame.
    assert first["type"] == "participant.joined"
    assert first["data"]["participant_count"] == 1
    assert second["type"] == "batch"
    assert [e["data"]["participant_count"] for e in second["events"]] == [2, 3, 4, 5]

    # Any other event does not wait: the joins held back go with it, in order.
    await room._dispatch(_joined(6))
    await room._dispatch(_event("Renamed"))
    together = await citizen.receive_json_from(timeout=3)
    assert together["type"] == "batch"
    assert [e["type"] for e in together["events"]] == ["participant.joined", "participant.renamed"]
    await assert_usable(citizen)


async def test_joins_committed_while_one_is_on_its_way_go_together_each_reaching_the_room_once(
    open_socket: Connect,  # noqa: F811
    citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    citizen = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(citizen)
    (room,) = _hubs_of(workshop)
    layer = room.layer
    group = room_group(workshop.pk)
    # The bus, slow to take the first join, as a busy Redis is: the messages it carried.
    carried: list[dict[str, Any]] = []
    let_go = asyncio.Event()
    group_send = layer.group_send

    async def slow_group_send(to: str, message: dict[str, Any]) -> None:
        if to == group:
            carried.append(message)
            await let_go.wait()
        await group_send(to, message)

    monkeypatch.setattr(layer, "group_send", slow_group_send)

    # Five joins commit in turn while the first is still on its way.
    sends = []
    for count in range(1, 6):
        sends.append(asyncio.create_task(events._group_send_all([(group, _joined(count))])))
        await asyncio.sleep(0.01)
    # Nobody's request is answered before its own join has gone.
    assert not any(send.done() for send in sends)
    let_go.set()
    await asyncio.wait_for(asyncio.gather(*sends), 5)

    # The first went at once and alone; the four that waited for it, as one message.
    assert [message["type"] for message in carried] == ["room.event", "room.events"]
    assert len(carried[1]["messages"]) == 4
    counts: list[int] = []
    while len(counts) < 5:
        frame = await citizen.receive_json_from(timeout=3)
        events_in = frame["events"] if frame["type"] == "batch" else [frame]
        counts += [event["data"]["participant_count"] for event in events_in]
    assert counts == [1, 2, 3, 4, 5]
    # Each once: nothing more follows but the answer to a ping.
    await assert_usable(citizen)
