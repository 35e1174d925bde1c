"""Votes that arrive together share one commit, and each is answered as if alone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea
from tests.factories import actor_for
from tests.voting.conftest import RecordingLayer
from voting import services
from voting.models import Vote
from workshops import events, registry, room_cache
from workshops.actors import Actor
from workshops.batching import _Waiting, batch_handle
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)


# Stands in for the socket's wait: batch_handle answers by return value, not through it.
_NOT_AWAITED: Any = None


def waiting(actor: Actor, idea: Idea, dots: int, request_id: str) -> _Waiting:
    frame = {
        "type": "vote.set",
        "request_id": request_id,
        "target_type": "idea",
        "target_id": idea.pk,
        "dots": dots,
    }
    return _Waiting(actor, frame, "en", _NOT_AWAITED)


def dots_of(actor: Actor) -> dict[int, int]:
    return dict(Vote.objects.filter(participant=actor.participant).values_list("idea_id", "weight"))


def test_a_batch_commits_once_and_answers_each_vote_in_order(
    voter: Actor, second_voter: Actor, ideas: list[Idea], room_bus: RecordingLayer
) -> None:
    batch = [
        waiting(voter, ideas[0], 3, "a"),
        waiting(second_voter, ideas[1], 1, "b"),
        waiting(voter, ideas[1], 3, "c"),  # two dots left: refused
        waiting(voter, ideas[1], 2, "d"),
    ]
    with CaptureQueriesContext(connection) as queries:
        answers, held = batch_handle(batch)
        replies = [reply for _actor, reply in answers]

    assert [(reply["request_id"], reply["type"]) for reply in replies] == [
        ("a", "ack"),
        ("b", "ack"),
        ("c", "error"),
        ("d", "ack"),
    ]
    assert (replies[2]["code"], replies[2]["message"]) == ("conflict", "You have 2 dots left.")
    assert replies[3]["data"]["remaining"] == 0
    assert dots_of(voter) == {ideas[0].pk: 3, ideas[1].pk: 2}
    assert dots_of(second_voter) == {ideas[1].pk: 1}
    assert [query["sql"] for query in queries.captured_queries].count("COMMIT") == 1
    # Each accepted vote tells its own participant's tabs, once the batch has committed.
    assert [message["event"]["type"] for _group, message in held] == ["ballot.updated"] * 3
    assert room_bus.sent == []


@pytest.fixture
def one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dot votes carried out one by one, each in its savepoint, as before they went together."""
    command = registry.COMMANDS["vote.set"]
    monkeypatch.setitem(registry.COMMANDS, "vote.set", dataclasses.replace(command, together=None))


def test_a_vote_meeting_a_database_error_is_carried_out_again_alone(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    monkeypatch: pytest.MonkeyPatch,
    one_by_one: None,
) -> None:
    vote_set = services.vote_set
    failed: list[int] = []

    def deadlocked_once(**kwargs: Any) -> services.OwnBallot:
        actor = kwargs["actor"]
        if actor == second_voter and not failed:
            failed.append(1)
            # What PostgreSQL answers when two servers' batches wait on each other.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            raise OperationalError("deadlock detected")
        return vote_set(**kwargs)

    monkeypatch.setattr(services, "vote_set", deadlocked_once)
    replies, _held = batch_handle(
        [waiting(voter, ideas[0], 1, "a"), waiting(second_voter, ideas[0], 2, "b")]
    )

    assert [reply["type"] for _actor, reply in replies] == ["ack", "ack"]
    assert failed == [1]
    assert dots_of(voter) == {ideas[0].pk: 1}
    assert dots_of(second_voter) == {ideas[0].pk: 2}


def test_a_vote_failing_for_another_reason_is_answered_and_the_others_still_count(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    monkeypatch: pytest.MonkeyPatch,
    one_by_one: None,
) -> None:
    vote_set = services.vote_set

    def broken_for_one(**kwargs: Any) -> services.OwnBallot:
        if kwargs["actor"] == second_voter:
            raise RuntimeError("a fault of ours")
        return vote_set(**kwargs)

    monkeypatch.setattr(services, "vote_set", broken_for_one)
    replies, _held = batch_handle(
        [waiting(second_voter, ideas[0], 2, "b"), waiting(voter, ideas[0], 1, "a")]
    )

    assert [(reply["type"], reply.get("code")) for _actor, reply in replies] == [
        ("error", "server_error"),
        ("ack", None),
    ]
    assert dots_of(voter) == {ideas[0].pk: 1}
    assert dots_of(second_voter) == {}


def test_votes_carried_out_together_meeting_a_database_error_are_each_carried_out_again(
    voter: Actor, second_voter: Actor, ideas: list[Idea], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_papers = services._write_papers
    failed: list[int] = []

    def deadlocked_once(papers: list[Any]) -> None:
        if not failed:
            failed.append(1)
            write_papers(papers)
            raise OperationalError("deadlock detected")
        write_papers(papers)

    monkeypatch.setattr(services, "_write_papers", deadlocked_once)
    replies, held = batch_handle(
        [waiting(voter, ideas[0], 1, "a"), waiting(second_voter, ideas[0], 2, "b")]
    )

    assert [reply["type"] for _actor, reply in replies] == ["ack", "ack"]
    assert failed == [1]
    assert dots_of(voter) == {ideas[0].pk: 1}
    assert dots_of(second_voter) == {ideas[0].pk: 2}
    assert [reply["data"]["remaining"] for _actor, reply in replies] == [4, 3]
    # What the rolled-back attempt published was never sent.
    assert held == []


def test_a_vote_of_a_batch_failing_for_another_reason_changes_nothing_and_the_others_count(
    voter: Actor, second_voter: Actor, ideas: list[Idea], monkeypatch: pytest.MonkeyPatch
) -> None:
    target_known = services._target_known

    def broken_for_one(voting: Any, target_type: Any, target_id: Any, statuses: Any) -> Any:
        if target_id == ideas[2].pk:
            raise RuntimeError("a fault of ours")
        return target_known(voting, target_type, target_id, statuses)

    monkeypatch.setattr(services, "_target_known", broken_for_one)
    replies, _held = batch_handle(
        [
            waiting(second_voter, ideas[2], 2, "b"),
            waiting(voter, ideas[0], 1, "a"),
            waiting(second_voter, ideas[1], 1, "c"),
        ]
    )

    assert [(reply["type"], reply.get("code")) for _actor, reply in replies] == [
        ("error", "server_error"),
        ("ack", None),
        ("ack", None),
    ]
    assert replies[2][1]["data"]["remaining"] == 4
    assert dots_of(voter) == {ideas[0].pk: 1}
    assert dots_of(second_voter) == {ideas[1].pk: 1}


def test_a_batch_of_votes_from_many_voters_costs_the_statements_of_one_vote(
    voting_room: Workshop, ideas: list[Idea], room_bus: RecordingLayer
) -> None:
    """Who votes, their standing, the phase, the rules, their votes and the ideas read once."""
    voters = [actor_for("citizen", voting_room) for _ in range(6)]
    batch_handle([waiting(voters[0], ideas[0], 1, "first")])

    def statements_of(batch: list[_Waiting]) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            answers, _held = batch_handle(batch)
        assert all(reply["type"] == "ack" for _actor, reply in answers), answers
        return [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"] not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}
            and "SAVEPOINT" not in query["sql"]
        ]

    one = statements_of([waiting(voters[0], ideas[1], 1, "one")])
    many = statements_of(
        [
            waiting(voter, ideas[2 + index % 2], 1 + index % 2, f"many-{index}")
            for index, voter in enumerate(voters)
        ]
        + [waiting(voters[1], ideas[0], 1, "again")]
    )
    assert len(one) == len(many), many
    # On PostgreSQL first the participants' locks, in one order; then, under them, the
    # participants with standing, room and ballot; their votes; their revisions; the
    # ideas; the inserts; the revisions written.
    reads = [sql for sql in many if "FOR NO KEY UPDATE" not in sql]
    assert len(many) - len(reads) == (1 if connection.vendor == "postgresql" else 0), many
    assert len(reads) == 6, reads
    assert "moderation_participantrestriction" in reads[0]
    assert "voting_ballot" in reads[0]
    assert Vote.objects.filter(ballot__workshop=voting_room).count() == 9


def test_votes_of_one_person_in_one_batch_build_on_each_other_and_resends_land_once(
    voter: Actor, ideas: list[Idea], room_bus: RecordingLayer
) -> None:
    replies, held = batch_handle(
        [
            waiting(voter, ideas[0], 2, "a"),
            waiting(voter, ideas[0], 2, "a-again"),  # a resend: lands once
            waiting(voter, ideas[0], 0, "taken-back"),
            waiting(voter, ideas[0], 1, "put-back"),
            waiting(voter, ideas[1], 3, "b"),  # at most three on one idea
            waiting(voter, ideas[2], 2, "c"),  # one dot left
        ]
    )
    answered = [(reply["request_id"], reply["type"], reply.get("code")) for _a, reply in replies]
    assert answered == [
        ("a", "ack", None),
        ("a-again", "ack", None),
        ("taken-back", "ack", None),
        ("put-back", "ack", None),
        ("b", "ack", None),
        ("c", "error", "conflict"),
    ]
    assert [reply["data"]["revision"] for _a, reply in replies[:5]] == [1, 1, 2, 3, 4]
    assert [reply["data"]["remaining"] for _a, reply in replies[:5]] == [3, 3, 5, 4, 1]
    assert dots_of(voter) == {ideas[0].pk: 1, ideas[1].pk: 3}
    # Each change told the voter's tabs once; the resend and the refusal told nobody.
    assert [message["event"]["data"]["revision"] for _group, message in held] == [1, 2, 3, 4]


def test_the_rate_limits_hold_for_votes_of_one_batch_and_count_no_refused_vote(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    settings: Any,
) -> None:
    settings.SAMSKAB_RATE_LIMITS = {**settings.SAMSKAB_RATE_LIMITS, "vote": "2/m"}
    replies, _held = batch_handle(
        [
            waiting(voter, ideas[0], "two", "bad"),  # refused before it counts
            waiting(voter, ideas[0], 1, "a"),
            waiting(voter, ideas[1], 1, "b"),
            waiting(voter, ideas[2], 1, "c"),  # the third within the minute
            waiting(second_voter, ideas[2], 1, "d"),
        ]
    )
    answered = [(reply["request_id"], reply.get("code")) for _actor, reply in replies]
    assert answered == [
        ("bad", "invalid"),
        ("a", None),
        ("b", None),
        ("c", "rate_limited"),
        ("d", None),
    ]
    assert dots_of(voter) == {ideas[0].pk: 1, ideas[1].pk: 1}
    # The same count holds for the next batch, and for a vote over HTTP.
    [(_actor, later)], _held = batch_handle([waiting(voter, ideas[3], 1, "later")])
    assert later["code"] == "rate_limited"


def test_a_batch_retires_its_voters_own_parts_in_one_call_before_handing_back_its_events(
    voter: Actor,
    second_voter: Actor,
    ideas: list[Idea],
    room_bus: RecordingLayer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, ...]] = []
    retire = events.own_parts_retire

    def counted(*participant_ids: int) -> None:
        calls.append(participant_ids)
        retire(*participant_ids)

    monkeypatch.setattr(events, "own_parts_retire", counted)
    voters = sorted([voter.participant.pk, second_voter.participant.pk])  # type: ignore[union-attr]
    versions = {pk: cache.get(room_cache._own_key(pk)) for pk in voters}

    _answers, held = batch_handle(
        [
            waiting(voter, ideas[0], 1, "a"),
            waiting(second_voter, ideas[1], 1, "b"),
            waiting(voter, ideas[1], 1, "c"),
        ]
    )

    # A snapshot read before the votes is no longer current for either voter, and the
    # cache was asked once for the lot, before any event went out.
    assert calls == [tuple(voters)]
    assert all(cache.get(room_cache._own_key(pk)) not in {None, versions[pk]} for pk in voters)
    assert len(held) == 3
    assert room_bus.sent == []
