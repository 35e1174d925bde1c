"""The events voting sends to the room; shapes in docs/protocol.md."""

from __future__ import annotations

from typing import Any

import msgspec

from workshops.registry import Event


class VotingConfigured(msgspec.Struct, forbid_unknown_fields=True):
    ballot: Any


class TalliesRevealed(msgspec.Struct, forbid_unknown_fields=True):
    ballot: Any
    tallies: Any
    as_of: Any


class VotesTallied(msgspec.Struct, forbid_unknown_fields=True):
    tallies: Any
    revealed: Any
    as_of: Any


class BallotUpdated(msgspec.Struct, forbid_unknown_fields=True):
    votes: Any
    remaining: Any
    revision: Any


EVENTS: dict[str, Event] = {
    # To everyone: the rules changed (and with them, perhaps, every ballot was cleared).
    "voting.configured": Event(VotingConfigured),
    # To everyone: the facilitator showed the tallies to the room.
    "tallies.revealed": Event(TalliesRevealed),
    # To facilitators only while tallies are hidden, to everyone once they are public.
    "votes.tallied": Event(VotesTallied),
    # To one participant's own connections: their marks and what they have left.
    "ballot.updated": Event(BallotUpdated),
}
