"""The room's hub: one subscription per room per process, and still each person's own view."""

from __future__ import annotations

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
from workshops import hub
from workshops.events import Audience, disconnect_participant, publish
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


def _hubs_of(workshop: Workshop) -> list[hub.RoomHub]:
    return [room for (_loop, pk), room in hub._HUBS.items() if pk == workshop.pk]


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
    # Two participants (one with two tabs): one personal channel each.
    assert len(room.personal) == 2

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
