"""A batch holding votes of two methods locks its participants in the same order as any
other batch would, so two batches in flight never wait on each other in a circle."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import IdeaFactory, WorkshopFactory, actor_for
from tests.voting.conftest import RecordingLayer
from tests.voting.test_batching_methods import approve, rank, replies_of, rules
from voting import services
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_methods_in_one_batch_lock_in_one_order_whichever_came_first(
    room_bus: RecordingLayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval_room = WorkshopFactory(phase=Phase.VOTE)
    ranking_room = WorkshopFactory(phase=Phase.VOTE)
    rules(actor_for("facilitator", approval_room), "approval")
    rules(actor_for("facilitator", ranking_room), "ranking")
    # Ids in turn: approval, ranking, approval, ranking.
    first = actor_for("citizen", approval_room)
    second = actor_for("citizen", ranking_room)
    third = actor_for("citizen", approval_room)
    fourth = actor_for("citizen", ranking_room)
    approved = IdeaFactory(author=first.participant).pk
    ranked = IdeaFactory(author=second.participant).pk
    locked: list[list[int]] = []
    real = services.actors_locked

    def recording(actors: list[Any], **kwargs: Any) -> Any:
        locked.append(sorted({actor.participant.pk for actor in actors}))
        return real(actors, **kwargs)

    monkeypatch.setattr(services, "actors_locked", recording)
    # One batch led by an approval voter, another by a ranking voter.
    for batch in (
        [
            approve(first, approved, "a1"),
            rank(second, [ranked], "r1"),
            approve(third, approved, "a2"),
        ],
        [
            rank(second, [ranked], "r2"),
            approve(third, approved, "a3"),
            rank(fourth, [ranked], "r3"),
        ],
    ):
        replies = replies_of(batch)
        assert [reply["type"] for reply in replies] == ["ack"] * 3, replies
    by_kind = {
        "approval": {first.participant.pk, third.participant.pk},
        "ranking": {second.participant.pk, fourth.participant.pk},
    }

    def kinds(groups: list[list[int]]) -> list[str]:
        return [next(k for k, ids in by_kind.items() if set(group) <= ids) for group in groups]

    # Both batches lock the approval voters' group before the ranking voters'.
    assert kinds(locked[:2]) == kinds(locked[2:]), locked
