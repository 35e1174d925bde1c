"""A socket opened by a page whose snapshot is still the room's sends no second snapshot.

The page's snapshot carries the version it was read at; the room's script sends it as
`since` (docs/protocol.md). The socket then answers `snapshot.current`, with only what
is read fresh, unless anything of the room or of the person's own changed since: then
the whole room, as a client that sends nothing always gets.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ideas.services import idea_post
from summaries.services import name_consent_set
from tests.factories import ParticipantFactory
from tests.workshops.test_consumer import Connect, open_socket, receive
from voting.services import vote_set
from workshops.actors import Actor
from workshops.models import Participant, Workshop
from workshops.phases import Phase, Role

__all__ = ["open_socket"]  # the fixture, shared with the socket tests

pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOT = re.compile(r'<script id="room-snapshot" type="application/json">(.*?)</script>', re.S)


def join(client: Client, workshop: Workshop, name: str) -> dict[str, Any]:
    """Join by the form, as a phone does; the room page's snapshot."""
    response = client.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}), {"display_name": name}
    )
    assert response.status_code == 200
    found = SNAPSHOT.search(response.text)
    assert found is not None
    snapshot: dict[str, Any] = json.loads(found[1])
    return snapshot


def citizen(workshop: Workshop, name: str) -> Actor:
    participant = Participant.objects.get(workshop=workshop, display_name=name)
    return Actor(role=Role.CITIZEN, workshop=workshop, participant=participant)


async def first_frame(
    open_socket: Connect, client: Client, workshop: Workshop, since: str | None
) -> dict[str, Any]:
    query = f"since={quote(since)}" if since is not None else ""
    socket = await open_socket(client, workshop.join_code, query=query)
    return await receive(socket)


async def test_a_page_still_current_gets_only_what_is_read_fresh(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")
    assert page["version"]
    # Someone joins after the page was read: the count moves, the room's version does not.
    await database_sync_to_async(join)(Client(), workshop, "Brave Lynx")

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot.current"
    assert frame["data"]["participant_count"] == 2
    assert frame["data"]["you"]["display_name"] == "Curious Otter"
    assert frame["data"]["workshop"]["phase"] == "ideate"
    assert frame["data"]["version"] == page["version"]
    assert "ideas" not in frame["data"]


async def test_without_since_or_with_another_version_the_whole_room_comes(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")

    for since in (None, "not-a-version", page["version"] + "x"):
        frame = await first_frame(open_socket, phone, workshop, since)
        assert frame["type"] == "snapshot", since
        assert frame["data"]["you"]["display_name"] == "Curious Otter"
        assert frame["data"]["version"] == page["version"]


async def test_an_event_to_the_room_since_the_page_sends_the_whole_room(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")

    def someone_posts() -> None:
        author = ParticipantFactory(workshop=workshop, display_name="Early Bird")
        actor = Actor(role=Role.CITIZEN, workshop=workshop, participant=author)
        idea_post(actor=actor, text="Benches by the river", client_key="k" * 16)

    await database_sync_to_async(someone_posts)()

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot"
    assert [idea["text"] for idea in frame["data"]["ideas"]] == ["Benches by the river"]


async def test_a_change_of_ones_own_without_a_room_event_sends_the_whole_room(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")
    assert page["propositions"]["name_in_summary"] is False

    # From another tab: consent tells nobody else, so the room's version stays.
    await database_sync_to_async(
        lambda: name_consent_set(actor=citizen(workshop, "Curious Otter"), agreed=True)
    )()

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot"
    assert frame["data"]["propositions"]["name_in_summary"] is True


async def test_a_vote_from_another_tab_sends_the_whole_room_with_it(
    open_socket: Connect, workshop: Workshop
) -> None:
    def wall_in_vote() -> int:
        author = ParticipantFactory(workshop=workshop, display_name="Early Bird")
        actor = Actor(role=Role.CITIZEN, workshop=workshop, participant=author)
        idea, _created = idea_post(actor=actor, text="Benches by the river", client_key="k" * 16)
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE, revision=5)
        return idea.pk

    idea_id = await database_sync_to_async(wall_in_vote)()
    await database_sync_to_async(workshop.refresh_from_db)()
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")
    assert page["voting"]["mine"]["votes"] == []

    await database_sync_to_async(
        lambda: vote_set(
            actor=citizen(workshop, "Curious Otter"),
            target_type="idea",
            target_id=idea_id,
            dots=1,
        )
    )()

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot"
    assert [vote["target_id"] for vote in frame["data"]["voting"]["mine"]["votes"]] == [idea_id]


async def test_a_workshop_changed_without_an_event_sends_the_whole_room(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")
    # A write the room does not hear of (SQL by hand): the revision still tells.
    await database_sync_to_async(
        lambda: Workshop.objects.filter(pk=workshop.pk).update(title="Renamed", revision=9)
    )()

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot"
    assert frame["data"]["workshop"]["title"] == "Renamed"


async def test_a_facilitators_snapshot_has_no_version_and_always_comes_whole(
    open_socket: Connect, workshop: Workshop, facilitator_client: Client
) -> None:
    console = await database_sync_to_async(facilitator_client.get)(
        reverse("workshops:console", kwargs={"code": workshop.join_code})
    )
    found = SNAPSHOT.search(console.content.decode())
    assert found is not None
    assert json.loads(found[1])["version"] is None

    frame = await first_frame(open_socket, facilitator_client, workshop, "anything")

    assert frame["type"] == "snapshot"
    assert frame["data"]["you"]["role"] == "facilitator"
    assert frame["data"]["version"] is None


async def test_a_crowds_entries_in_the_cache_leave_the_pages_version_current(
    open_socket: Connect, workshop: Workshop
) -> None:
    phone = Client()
    page = await database_sync_to_async(join)(phone, workshop, "Curious Otter")
    # What a thousand phones joining after this one keep in a one-process cache
    # (sessions, standing tokens, connection counts).
    cache.set_many({f"crowd:{number}": "x" * 100 for number in range(3000)})

    frame = await first_frame(open_socket, phone, workshop, page["version"])

    assert frame["type"] == "snapshot.current"
