"""Joining over the socket when it goes wrong: only the join page's socket joins, and a
fault after the join still answers the phone and lets its page find the room."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from tests.workshops.test_consumer import Connect, open_socket, receive, snapshot_of
from tests.workshops.test_consumer_join import JOINING, join_frame, join_page, participants
from workshops import consumers
from workshops.models import Workshop

__all__ = ["open_socket"]  # the fixture, shared with the socket tests

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_projector_socket_is_not_made_a_participant_by_join(
    open_socket: Connect, client: Client, workshop: Workshop
) -> None:
    # An observer's socket is in the room already, as an observer: joining is the join
    # page's socket's to do, so a `join` there is refused and nobody is made.
    await database_sync_to_async(client.get)(
        reverse("workshops:observe", kwargs={"token": workshop.observer_token})
    )
    socket = await open_socket(client, workshop.join_code)
    assert (await snapshot_of(socket))["you"]["role"] == "observer"
    await socket.send_json_to(join_frame("Watcher"))
    reply = await receive(socket)
    assert (reply["type"], reply["code"]) == ("error", "forbidden"), reply
    assert await participants(workshop) == []


async def test_a_room_that_cannot_be_read_after_the_join_ends_the_socket_with_an_answer(
    open_socket: Connect, workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = await join_page(workshop)
    socket = await open_socket(phone, workshop.join_code, query=JOINING)

    def unreadable(**_kwargs: Any) -> Any:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(consumers, "room_snapshot", unreadable)
    await socket.send_json_to(join_frame("Curious Otter"))
    ack = await receive(socket)
    assert (ack["type"], ack["request_id"]) == ("ack", "j1")
    # Not an error for the join just acknowledged: the socket's own fault, and its end.
    fault = json.loads((await socket.receive_output(timeout=5))["text"])
    assert fault["type"] == "error" and fault["code"] == "server_error", fault
    assert fault.get("request_id") is None, fault
    assert "joined" in fault["message"], fault
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 1011}
    assert len(await participants(workshop)) == 1

    # The page reconnects, and the room is there for the phone that joined.
    monkeypatch.undo()
    again = await open_socket(phone, workshop.join_code)
    you = (await snapshot_of(again))["you"]
    assert (you["role"], you["display_name"]) == ("citizen", "Curious Otter")


def test_a_name_that_cannot_be_taken_is_refused_before_any_database_work(
    workshop: Workshop,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workshops.actors import actor_resolve
    from workshops.errors import ActionRefused
    from workshops.services import participant_join_session
    from workshops.sessions import SessionStore

    session = SessionStore()
    session.save()
    actor = actor_resolve(workshop=workshop, user=None, session=session)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ActionRefused) as refused:
        participant_join_session(actor=actor, session=session, display_name="x" * 41)
    assert refused.value.code == "invalid"
    assert queries.captured_queries == []
