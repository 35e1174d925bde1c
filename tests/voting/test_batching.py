"""Votes that arrive together share one commit, and each is answered as if alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea
from tests.voting.conftest import RecordingLayer
from voting import services
from voting.models import Vote
from workshops.actors import Actor
from workshops.batching import _Waiting, batch_handle

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


def test_a_vote_meeting_a_database_error_is_carried_out_again_alone(
    voter: Actor, second_voter: Actor, ideas: list[Idea], monkeypatch: pytest.MonkeyPatch
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
    voter: Actor, second_voter: Actor, ideas: list[Idea], monkeypatch: pytest.MonkeyPatch
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


def test_a_vote_is_five_statements_with_the_room_read_once_under_the_lock(
    voter: Actor, ideas: list[Idea], room_bus: RecordingLayer
) -> None:
    """Who votes, their standing, the phase and the rules in one read; nothing read twice."""
    batch_handle([waiting(voter, ideas[0], 1, "first")])
    with CaptureQueriesContext(connection) as queries:
        [(_actor, reply)], _held = batch_handle([waiting(voter, ideas[1], 1, "second")])

    assert reply["type"] == "ack", reply
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"] not in {"BEGIN", "COMMIT"} and "SAVEPOINT" not in query["sql"]
    ]
    # The participant with standing, room and ballot; the own votes; the idea; the
    # insert; the paper's revision.
    assert len(statements) == 5, statements
    assert "moderation_participantrestriction" in statements[0]
    assert "voting_ballot" in statements[0]
