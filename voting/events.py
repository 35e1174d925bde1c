"""The events voting sends to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.registry import Data, Event

Ballot = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Ballot"})]
Tally = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Tally"})]
Vote = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Vote"})]


class VotingConfigured(Data):
    """The rules changed (and with them, perhaps, every ballot was cleared)."""

    ballot: Ballot


class TalliesRevealed(Data):
    """The facilitator showed the tallies to the room."""

    ballot: Ballot
    tallies: list[Tally]
    as_of: int


class VotesTallied(Data):
    tallies: list[Tally]
    revealed: bool
    as_of: int


class VotesCounted(Data):
    """How many participants have voted, when that changed; never the tallies."""

    voters: int
    as_of: int


class BallotUpdated(Data):
    """Own ballot: a participant's marks and what they have left."""

    votes: list[Vote]
    remaining: int | None
    revision: int


EVENTS: dict[str, Event] = {
    "voting.configured": Event(VotingConfigured),
    "tallies.revealed": Event(TalliesRevealed),
    "votes.tallied": Event(
        VotesTallied, audience="facilitators while tallies are hidden; everyone once `revealed`"
    ),
    "votes.counted": Event(
        VotesCounted, audience="everyone, in the tally's window, only when the number changed"
    ),
    "ballot.updated": Event(BallotUpdated, audience="the participant's own connections, at once"),
}
