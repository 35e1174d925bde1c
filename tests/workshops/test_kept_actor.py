"""A socket keeps who it is between commands; what the room did since holds at the very next one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas.models import Idea
from tests.conftest import join_by_page
from tests.workshops.test_consumer import open_socket, receive, snapshot_of
from workshops import actors
from workshops.actors import Actor, actor_resolve
from workshops.commands import command_handle
from workshops.models import Participant, Workshop
from workshops.phases import Phase

__all__ = ["open_socket"]

pytestmark = pytest.mark.django_db(transaction=True)

Connect = Callable[..., Awaitable[WebsocketCommunicator]]


async def answer(socket: WebsocketCommunicator, request_id: str) -> dict[str, Any]:
    """The ack or error for this request, skipping room traffic in between."""
    while True:
        frame = await receive(socket)
        if frame.get("request_id") == request_id:
            return frame


async def says(socket: WebsocketCommunicator, frame: dict[str, Any]) -> dict[str, Any]:
    await socket.send_json_to(frame)
    return await answer(socket, frame["request_id"])


async def acked(socket: WebsocketCommunicator, frame: dict[str, Any]) -> dict[str, Any]:
    reply = await says(socket, frame)
    assert reply["type"] == "ack", reply
    return reply


def refused(reply: dict[str, Any], code: str) -> None:
    assert (reply["type"], reply.get("code")) == ("error", code), reply


def post(text: str, key: str, request_id: str) -> dict[str, Any]:
    return {"type": "idea.post", "text": text, "client_key": key, "request_id": request_id}


@database_sync_to_async
def otter_of(workshop: Workshop) -> Participant:
    return Participant.objects.get(workshop=workshop, display_name="Curious Otter 42")


@database_sync_to_async
def texts(workshop: Workshop) -> list[str]:
    return sorted(Idea.objects.filter(workshop=workshop).values_list("text", flat=True))


async def opened(open_socket: Connect, client: Client, workshop: Workshop) -> WebsocketCommunicator:
    socket = await open_socket(client, workshop.join_code)
    await snapshot_of(socket)
    return socket


def hang_ups_delayed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The removal's hang-up has not reached the socket yet (a slow bus, another server)."""
    monkeypatch.setattr(
        "workshops.consumers.RoomConsumer.hub_close", lambda self, message: asyncio.sleep(0)
    )


async def test_a_mute_an_unmute_and_a_phase_change_hold_for_the_very_next_post_edit_and_rename(
    open_socket: Connect, citizen_client: Client, facilitator_client: Client, workshop: Workshop
) -> None:
    phone = await opened(open_socket, citizen_client, workshop)
    console = await opened(open_socket, facilitator_client, workshop)
    otter = await otter_of(workshop)
    first = await acked(phone, post("Open late on Fridays", "kept-key-0001", "p1"))
    idea_id = first["data"]["idea"]["id"]

    mute = {"type": "participant.mute", "participant_id": otter.pk, "request_id": "m"}
    await acked(console, mute)
    refused(await says(phone, post("Free wifi", "kept-key-0002", "p2")), "forbidden")
    edit = {"type": "idea.edit", "idea_id": idea_id, "text": "Open late", "request_id": "e1"}
    muted = await says(phone, edit)
    refused(muted, "forbidden")
    assert "muted" in muted["message"]
    rename = {"type": "participant.rename", "display_name": "Quiet Otter", "request_id": "n1"}
    refused(await says(phone, rename), "forbidden")

    await acked(
        console, {"type": "participant.unmute", "participant_id": otter.pk, "request_id": "u"}
    )
    await acked(phone, {**edit, "request_id": "e2"})
    await acked(phone, post("Free wifi", "kept-key-0002", "p3"))

    await acked(console, {"type": "phase.change", "phase": "group", "request_id": "g"})
    refused(await says(phone, post("Quiet room", "kept-key-0003", "p4")), "wrong_phase")
    refused(await says(phone, {**edit, "text": "Later", "request_id": "e3"}), "wrong_phase")
    assert await texts(workshop) == ["Free wifi", "Open late"]


async def test_a_phase_changed_on_another_socket_holds_for_the_facilitators_next_command(
    open_socket: Connect, facilitator_client: Client, workshop: Workshop
) -> None:
    """Two consoles of the room keep their actors; one closes the room, the other is told."""
    console = await opened(open_socket, facilitator_client, workshop)
    second = await opened(open_socket, facilitator_client, workshop)
    timer = {"type": "timer.set", "duration_seconds": 60, "request_id": "t1"}
    await acked(second, timer)

    await acked(console, {"type": "phase.change", "phase": "closed", "request_id": "c"})
    refused(await says(second, {**timer, "request_id": "t2"}), "wrong_phase")


async def test_a_removed_participant_posts_no_more_even_from_a_socket_still_open(
    open_socket: Connect,
    citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone = await opened(open_socket, citizen_client, workshop)
    console = await opened(open_socket, facilitator_client, workshop)
    otter = await otter_of(workshop)
    await acked(phone, post("Open late on Fridays", "kept-key-0001", "p1"))
    hang_ups_delayed(monkeypatch)

    await acked(
        console, {"type": "participant.remove", "participant_id": otter.pk, "request_id": "r"}
    )
    refused(await says(phone, post("Free wifi", "kept-key-0002", "p2")), "forbidden")
    assert await texts(workshop) == ["Open late on Fridays"]


async def test_after_erasing_their_data_a_socket_still_open_acts_no_more(
    open_socket: Connect,
    citizen_client: Client,
    workshop: Workshop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone = await opened(open_socket, citizen_client, workshop)
    other_tab = await opened(open_socket, citizen_client, workshop)
    await acked(phone, post("Open late on Fridays", "kept-key-0001", "p1"))
    hang_ups_delayed(monkeypatch)

    erase = reverse("moderation:erase", kwargs={"code": workshop.join_code})
    response = await database_sync_to_async(citizen_client.post)(
        erase, headers={"accept": "application/json"}
    )
    assert response.status_code == 200, response.content

    refused(await says(phone, post("Free wifi", "kept-key-0002", "p2")), "forbidden")
    rename = {"type": "participant.rename", "display_name": "Back Again", "request_id": "n1"}
    refused(await says(other_tab, rename), "forbidden")
    assert await texts(workshop) == ["Open late on Fridays"]


async def test_a_facilitator_taken_off_the_workshop_moves_the_room_no_more(
    open_socket: Connect, co_facilitator: AbstractBaseUser, workshop: Workshop
) -> None:
    laptop = Client()
    await database_sync_to_async(laptop.force_login)(co_facilitator)
    console = await opened(open_socket, laptop, workshop)
    await acked(console, {"type": "timer.set", "duration_seconds": 60, "request_id": "t1"})

    await database_sync_to_async(workshop.facilitators.remove)(co_facilitator)
    reply = await says(console, {"type": "phase.change", "phase": "group", "request_id": "g"})
    refused(reply, "forbidden")
    assert (await database_sync_to_async(Workshop.objects.get)(pk=workshop.pk)).phase == (
        Phase.IDEATE
    )


def _commands(actor: Actor, frames: list[dict[str, Any]]) -> tuple[Actor, list[dict[str, Any]]]:
    replies = []
    for frame in frames:
        actor, reply = command_handle(actor=actor, frame=frame)
        replies.append(reply)
    return actor, replies


def test_a_socket_reads_who_it_is_only_after_the_room_changed_it(workshop: Workshop) -> None:
    """The second command reads no actor; a rename of the participant elsewhere is read again."""
    client = join_by_page(Client(), workshop, "Curious Otter 42")
    kept = actor_resolve(workshop=workshop, user=None, session=client.session)
    kept, _replies = _commands(kept, [post("Open late on Fridays", "kept-key-0001", "p1")])

    with CaptureQueriesContext(connection) as queries:
        kept, [reply] = _commands(kept, [post("Free wifi", "kept-key-0002", "p2")])
    assert reply["type"] == "ack", reply
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "moderation_participantrestriction" not in read
    assert 'FROM "workshops_workshop"' not in read

    assert kept.participant is not None
    # A save elsewhere, as a rename from another tab makes.
    Participant.objects.get(pk=kept.participant.pk).save()
    with CaptureQueriesContext(connection) as queries:
        kept, [reply] = _commands(kept, [post("Quiet room", "kept-key-0003", "p3")])
    assert reply["type"] == "ack", reply
    assert "moderation_participantrestriction" in " ".join(
        query["sql"] for query in queries.captured_queries
    )


def test_a_write_the_room_does_not_hear_of_holds_within_the_kept_seconds(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = join_by_page(Client(), workshop, "Curious Otter 42")
    kept = actor_resolve(workshop=workshop, user=None, session=client.session)
    kept, [reply] = _commands(kept, [post("Open late on Fridays", "kept-key-0001", "p1")])
    assert reply["type"] == "ack", reply

    # An update() sends no signal: no token is replaced.
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.GROUP)
    monkeypatch.setattr(actors, "KEPT_SECONDS", 0.0)
    kept, [reply] = _commands(kept, [post("Free wifi", "kept-key-0002", "p2")])
    assert (reply["type"], reply["code"]) == ("error", "wrong_phase"), reply


async def test_a_vote_and_a_post_from_one_socket_each_see_the_room_as_it_is(
    open_socket: Connect, citizen_client: Client, facilitator_client: Client, workshop: Workshop
) -> None:
    """The batched votes and the other commands share the kept actor without either going stale."""
    phone = await opened(open_socket, citizen_client, workshop)
    console = await opened(open_socket, facilitator_client, workshop)
    posted = await acked(phone, post("Open late on Fridays", "kept-key-0001", "p1"))
    idea_id = posted["data"]["idea"]["id"]
    await acked(console, {"type": "phase.change", "phase": "vote", "request_id": "v"})
    vote = {
        "type": "vote.set",
        "target_type": "idea",
        "target_id": idea_id,
        "dots": 1,
        "request_id": "d1",
    }
    await acked(phone, vote)
    refused(await says(phone, post("Free wifi", "kept-key-0002", "p2")), "wrong_phase")
    await acked(console, {"type": "phase.change", "phase": "results", "request_id": "r"})
    refused(await says(phone, {**vote, "dots": 2, "request_id": "d2"}), "wrong_phase")
