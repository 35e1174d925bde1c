"""Grouping live over the room's WebSocket: every screen hears it, suggestions stay private."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ideas.models import Cluster, Idea
from tests.factories import IdeaFactory, ParticipantFactory
from tests.workshops.test_consumer import Connect, open_socket, receive, snapshot_of
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["open_socket"]  # the fixture, imported for the tests below


@database_sync_to_async
def grouping_room(workshop: Workshop, *texts: str) -> list[Idea]:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.GROUP)
    return [IdeaFactory(author=ParticipantFactory(workshop=workshop), text=t) for t in texts]


async def ask(socket: Any, frame: dict[str, Any]) -> dict[str, Any]:
    """Send a command; the answer to it, skipping the room's events on the way."""
    reply, _events = await ask_and_hear(socket, frame)
    return reply


async def ask_and_hear(
    socket: Any, frame: dict[str, Any], event_type: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The answer to a command, and this socket's events of `event_type` in either order.

    The event is sent once the write commits, which may be just before the answer.
    """
    await socket.send_json_to({**frame, "request_id": "q"})
    reply: dict[str, Any] | None = None
    events: list[dict[str, Any]] = []
    while reply is None or (event_type is not None and not events):
        incoming = await receive(socket)
        if incoming.get("request_id") == "q":
            reply = incoming
        elif incoming["type"] == event_type:
            events.append(incoming)
    return reply, events


async def test_a_cluster_and_a_move_reach_every_screen(
    open_socket: Connect, facilitator_client: Client, citizen_client: Client, workshop: Workshop
) -> None:
    [idea] = await grouping_room(workshop, "Bike lanes")
    console = await open_socket(facilitator_client, workshop.join_code)
    phone = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(console)
    snapshot = await snapshot_of(phone)
    assert snapshot["clusters"] == []
    assert snapshot["grouping"] == {"participants_may_group": False}
    assert "suggestions" not in snapshot

    created = await ask(console, {"type": "cluster.create", "name": "Bikes"})
    assert created["type"] == "ack"
    cluster_id = created["data"]["cluster"]["id"]
    event = await receive(phone)
    assert event["type"] == "cluster.created"
    assert event["data"]["cluster"]["name"] == "Bikes"

    moved = await ask(console, {"type": "idea.move", "idea_id": idea.pk, "cluster_id": cluster_id})
    assert moved["data"]["idea"]["cluster_id"] == cluster_id
    event = await receive(phone)
    assert (event["type"], event["data"]["idea"]["cluster_id"]) == ("idea.moved", cluster_id)


async def test_a_citizen_is_refused_until_allowed_and_hears_the_change(
    open_socket: Connect, facilitator_client: Client, citizen_client: Client, workshop: Workshop
) -> None:
    [idea] = await grouping_room(workshop, "Bike lanes")
    cluster = await database_sync_to_async(Cluster.objects.create)(workshop=workshop, name="B")
    console = await open_socket(facilitator_client, workshop.join_code)
    phone = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(console)
    await snapshot_of(phone)
    move = {"type": "idea.move", "idea_id": idea.pk, "cluster_id": cluster.pk}

    refused = await ask(phone, move)
    assert (refused["type"], refused["code"]) == ("error", "forbidden")

    await ask(console, {"type": "grouping.allow", "allowed": True})
    event = await receive(phone)
    assert event == {
        "type": "grouping.permission_changed",
        "data": {"participants_may_group": True},
    }
    allowed = await ask(phone, move)
    assert allowed["type"] == "ack"


async def test_suggestions_reach_facilitators_only(
    open_socket: Connect, facilitator_client: Client, citizen_client: Client, workshop: Workshop
) -> None:
    await grouping_room(
        workshop, "Safe bike lanes", "More bike lanes", "Longer library hours", "Library hours"
    )
    console = await open_socket(facilitator_client, workshop.join_code)
    phone = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(console)
    await snapshot_of(phone)

    reply, [event] = await ask_and_hear(
        console, {"type": "clusters.suggest"}, "suggestions.proposed"
    )
    assert reply["type"] == "ack"
    assert len(reply["data"]["suggestions"]) == 2
    assert event["data"]["suggestions"] == reply["data"]["suggestions"]

    # The phone hears nothing of it: the next thing it gets is the answer to its ping.
    await phone.send_json_to({"type": "ping", "request_id": "p"})
    assert await receive(phone) == {"type": "pong", "request_id": "p"}

    # A reconnecting console gets the pending proposals back in its snapshot.
    again = await open_socket(facilitator_client, workshop.join_code)
    assert len((await snapshot_of(again))["suggestions"]) == 2


async def test_the_near_duplicate_hint_answers_while_typing(
    open_socket: Connect, citizen_client: Client, workshop: Workshop
) -> None:
    await database_sync_to_async(IdeaFactory)(
        author=await database_sync_to_async(ParticipantFactory)(workshop=workshop),
        text="Longer opening hours at the library",
    )
    phone = await open_socket(citizen_client, workshop.join_code)
    await snapshot_of(phone)

    reply = await ask(phone, {"type": "idea.similar", "text": "longer library opening hours"})

    assert reply["type"] == "ack"
    [match] = reply["data"]["ideas"]
    assert match["idea"]["text"] == "Longer opening hours at the library"
    assert 0 < match["score"] <= 1
