"""What every citizen sees alike is read once per change: never stale, never anyone's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

import pytest

from ideas.services import idea_post
from moderation.models import ModerationSettings
from moderation.services import workshop_erase_personal_data
from tests.factories import ParticipantFactory, actor_for
from workshops.actors import Actor, actor_refresh
from workshops.models import Workshop
from workshops.phases import Role
from workshops.room_cache import room_part
from workshops.selectors import room_snapshot
from workshops.services import participant_join, participant_rename

pytestmark = pytest.mark.django_db

Commits = Callable[..., AbstractContextManager[Any]]


def wall(actor: Actor) -> list[str]:
    return [idea["text"] for idea in room_snapshot(actor=actor_refresh(actor))["ideas"]]


def test_a_posted_idea_is_in_the_next_citizens_snapshot(
    citizen: Actor, second_citizen: Actor, django_capture_on_commit_callbacks: Commits
) -> None:
    assert wall(citizen) == []

    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=second_citizen, text="Benches by the river", client_key="idea-key-0001")

    assert wall(citizen) == ["Benches by the river"]


def test_a_wall_read_while_the_post_commits_is_not_handed_out_after(
    workshop: Workshop,
    citizen: Actor,
    second_citizen: Actor,
    django_capture_on_commit_callbacks: Commits,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=second_citizen, text="Benches by the river", client_key="idea-key-0001")
        # Another screen reads the wall from before the commit, and keeps it.
        room_part(
            workshop_id=workshop.pk,
            role=citizen.role,
            name="board",
            read=lambda: {"ideas": [], "clusters": []},
        )

    assert wall(citizen) == ["Benches by the river"]


def test_a_rename_shows_under_the_authors_ideas_for_everyone(
    citizen: Actor, second_citizen: Actor, django_capture_on_commit_callbacks: Commits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=second_citizen, text="Benches by the river", client_key="idea-key-0001")
    assert room_snapshot(actor=citizen)["ideas"][0]["author_name"] != "Kind Owl"

    with django_capture_on_commit_callbacks(execute=True):
        participant_rename(actor=second_citizen, display_name="Kind Owl")

    assert room_snapshot(actor=actor_refresh(citizen))["ideas"][0]["author_name"] == "Kind Owl"


def test_each_join_counts_at_once(
    workshop: Workshop, citizen: Actor, django_capture_on_commit_callbacks: Commits
) -> None:
    before = room_snapshot(actor=citizen)["participant_count"]

    with django_capture_on_commit_callbacks(execute=True):
        participant_join(
            actor=Actor(role=Role.OUTSIDER, workshop=workshop), display_name="New Heron"
        )

    assert room_snapshot(actor=citizen)["participant_count"] == before + 1


def test_each_citizen_sees_their_own_name_and_held_ideas_not_anothers(
    workshop: Workshop, django_capture_on_commit_callbacks: Commits
) -> None:
    ModerationSettings.objects.create(workshop=workshop, mode=ModerationSettings.Mode.PRE)
    writer = actor_for(
        "citizen", workshop, participant=ParticipantFactory(workshop=workshop, display_name="Ada")
    )
    reader = actor_for(
        "citizen", workshop, participant=ParticipantFactory(workshop=workshop, display_name="Bo")
    )
    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=writer, text="Waiting for review", client_key="idea-key-0001")

    mine = room_snapshot(actor=writer)
    theirs = room_snapshot(actor=reader)

    assert mine["you"]["display_name"] == "Ada"
    assert [idea["text"] for idea in mine["moderation"]["your_held"]] == ["Waiting for review"]
    assert theirs["you"]["display_name"] == "Bo"
    assert theirs["moderation"]["your_held"] == []
    assert theirs["moderation"]["premoderated"] is True
    assert "Waiting for review" not in wall(reader)


def test_erased_names_leave_the_wall_though_no_event_is_sent(
    workshop: Workshop,
    citizen: Actor,
    observer: Actor,
    django_capture_on_commit_callbacks: Commits,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=citizen, text="Benches by the river", client_key="idea-key-0001")
    assert room_snapshot(actor=observer)["ideas"][0]["author_name"] != ""

    with django_capture_on_commit_callbacks(execute=True):
        workshop_erase_personal_data(workshop=workshop)

    assert room_snapshot(actor=observer)["ideas"][0]["author_name"] == ""


def test_a_crowd_missing_the_same_part_reads_the_room_once(workshop: Workshop) -> None:
    reads: list[int] = []
    started = threading.Event()

    def slow_read() -> dict[str, list[int]]:
        reads.append(1)
        started.set()
        time.sleep(0.2)  # the wall of a large room, read while the crowd arrives
        return {"ideas": [1, 2, 3]}

    def screen() -> Any:
        return room_part(workshop_id=workshop.pk, role=Role.CITIZEN, name="crowd", read=slow_read)

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(screen)
        started.wait(5)
        others = [pool.submit(screen) for _ in range(7)]
        parts = [first.result(5), *(other.result(5) for other in others)]

    assert reads == [1]
    assert all(part == {"ideas": [1, 2, 3]} for part in parts)
