"""Tallies reach the room a few times a second at most, the last one always right."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from ideas.models import Idea
from tests.factories import actor_for
from tests.voting.conftest import RecordingLayer, TallyWindows
from voting import services, tally
from voting.models import Ballot
from workshops.actors import Actor
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def cast(actor: Actor, idea: Idea, count: int, capture: Any) -> None:
    with capture(execute=True):
        services.vote_set(actor=actor, target_type="idea", target_id=idea.pk, dots=count)


def totals(event: dict[str, Any]) -> dict[int, int]:
    return {item["target_id"]: item["total"] for item in event["data"]["tallies"]}


def test_many_votes_in_one_window_reach_the_room_as_one_tally(
    voting_room: Workshop,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    django_capture_on_commit_callbacks: Any,
) -> None:
    voters = [actor_for("citizen", voting_room) for _ in range(30)]
    for index, voter in enumerate(voters):
        cast(voter, ideas[index % 2], 1 + index % 3, django_capture_on_commit_callbacks)

    assert len(tally_windows.scheduled) == 1, "every vote after the first rides along"
    assert tally_windows.scheduled[0][0] == tally.WINDOW_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()

    [event] = room_bus.events("votes.tallied")
    expected = {ideas[0].pk: 0, ideas[1].pk: 0}
    for index in range(30):
        expected[ideas[index % 2].pk] += 1 + index % 3
    assert totals(event) == expected
    assert sum(item["supporters"] for item in event["data"]["tallies"]) == 30
    # Each voter's own tabs heard at once, thirty times; the room once.
    assert len(room_bus.events("ballot.updated")) == 30


def test_a_vote_during_the_count_schedules_the_next_tally_so_the_last_is_right(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast(voter, ideas[0], 2, django_capture_on_commit_callbacks)
    counting = tally.tallies_of

    def vote_arrives_while_counting(*, ballot: Ballot) -> list[dict[str, Any]]:
        result = counting(ballot=ballot)
        # Committed after the count read the votes, but before it was sent.
        monkeypatch.setattr(tally, "tallies_of", counting)
        cast(second_voter, ideas[1], 3, django_capture_on_commit_callbacks)
        return result

    monkeypatch.setattr(tally, "tallies_of", vote_arrives_while_counting)
    with django_capture_on_commit_callbacks(execute=True):
        assert tally_windows.close() == 1
    assert len(tally_windows.scheduled) == 1, "the late vote found no window open"
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()

    first, last = room_bus.events("votes.tallied")
    assert totals(first) == {ideas[0].pk: 2}
    assert totals(last) == {ideas[0].pk: 2, ideas[1].pk: 3}
    assert last["data"]["as_of"] > first["data"]["as_of"]


def test_hidden_tallies_go_to_facilitators_only(
    voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast(voter, ideas[0], 1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()

    [(group, audience, data)] = room_bus.deliveries("votes.tallied")
    assert (group, audience) == (f"workshop.{voter.workshop.pk}", "facilitators")
    assert data["revealed"] is False


def test_live_tallies_go_to_everyone(
    host: Actor,
    voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.ballot_configure(
        actor=host,
        method="dots",
        target="idea",
        dots_per_participant=5,
        max_dots_per_item=3,
        rank_count=3,
        show_live=True,
    )
    cast(voter, ideas[0], 1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()

    [(_group, audience, data)] = room_bus.deliveries("votes.tallied")
    assert audience == "everyone"
    assert data["revealed"] is True


def test_the_window_is_shared_through_the_cache_by_every_worker(
    voting_room: Workshop, tally_windows: TallyWindows
) -> None:
    tally.tally_soon(voting_room.pk)
    tally.tally_soon(voting_room.pk)
    other = Workshop.objects.create(owner=voting_room.owner, title="Other", question="Q?")
    tally.tally_soon(other.pk)

    assert [args for _delay, _function, args in tally_windows.scheduled] == [
        (voting_room.pk,),
        (other.pk,),
    ]


def test_the_real_timer_runs_the_count_off_the_request_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[tuple[int, str]] = []
    done = threading.Event()

    def count(workshop_id: int) -> None:
        ran.append((workshop_id, threading.current_thread().name))
        done.set()

    started = time.monotonic()
    tally._run_later(0.05, count, 7)

    assert done.wait(2), "the timer never ran"
    assert time.monotonic() - started >= 0.05
    assert ran[0][0] == 7
    assert ran[0][1] != threading.current_thread().name


def test_the_room_hears_how_many_have_voted_once_per_new_voter(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast(voter, ideas[0], 1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()
    # The same voter again: the tally changes, the number of voters does not.
    cast(voter, ideas[1], 1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()
    cast(second_voter, ideas[0], 2, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tally_windows.close()

    counted = room_bus.deliveries("votes.counted")
    assert [data["voters"] for _group, _audience, data in counted] == [1, 2]
    # Everyone hears it, while the tallies themselves stay with the facilitators.
    assert {audience for _group, audience, _data in counted} == {"everyone"}
    assert {audience for _g, audience, _d in room_bus.deliveries("votes.tallied")} == {
        "facilitators"
    }


@pytest.mark.django_db(transaction=True)
async def test_a_rooms_tallies_run_one_after_another_on_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On PostgreSQL a tally runs on any of the pool's threads (voting.tally): a slow
    # count and the next one must not overlap, or the older would be told last.
    monkeypatch.setattr(tally, "_one_writer_at_a_time", lambda: False)
    happened: list[str] = []
    seconds = iter([0.3, 0.0])

    def count(workshop_id: int) -> None:
        label = f"{workshop_id}:{len(happened) // 2}"
        happened.append("start " + label)
        time.sleep(next(seconds))
        happened.append("end " + label)

    tally._start_on_loop(count, (7,))
    await asyncio.sleep(0.05)  # the first is counting
    tally._start_on_loop(count, (7,))
    for _ in range(100):
        if len(happened) == 4:
            break
        await asyncio.sleep(0.05)

    assert happened == ["start 7:0", "end 7:0", "start 7:1", "end 7:1"]
    assert not tally._LAST_RUN
