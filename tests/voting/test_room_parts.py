"""The voting part of a snapshot: rules shared by the room, each ballot its owner's own."""

from __future__ import annotations

import pytest

from ideas.models import Idea
from voting import services
from workshops.actors import Actor
from workshops.selectors import room_snapshot

pytestmark = pytest.mark.django_db


def test_the_rooms_first_vote_shows_in_the_voters_next_snapshot(
    voter: Actor, second_voter: Actor, ideas: list[Idea]
) -> None:
    # Read before anyone voted: the room's ballot is not saved yet.
    before = room_snapshot(actor=voter)["voting"]["mine"]
    room_snapshot(actor=second_voter)

    services.vote_set(actor=voter, target_type="idea", target_id=ideas[0].pk, dots=2)

    mine = room_snapshot(actor=voter)["voting"]["mine"]
    assert mine["votes"] == [
        {"target_type": "idea", "target_id": ideas[0].pk, "weight": 2, "rank": None}
    ]
    assert mine["remaining"] == before["remaining"] - 2
    assert room_snapshot(actor=second_voter)["voting"]["mine"]["votes"] == []
