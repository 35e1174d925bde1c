"""The events voting sends to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated

import msgspec

from workshops.registry import Data, Event, Shape, one_of

from .models import Ballot as BallotModel

TARGETS = one_of(BallotModel.Target.values)


# The shapes of voting, built by voting.serializers and voting.selectors.tallies_of.
class Ballot(Shape):
    """The rules."""

    method: Annotated[str, msgspec.Meta(description=one_of(BallotModel.Method.values))]
    method_label: Annotated[str, msgspec.Meta(description="the method's name, translated")]
    target: Annotated[str, msgspec.Meta(description=f"{TARGETS}: what people vote on")]
    dots_per_participant: Annotated[
        int,
        msgspec.Meta(description="dot voting: each person's budget (1–50; default 5)"),  # noqa: RUF001
    ]
    max_dots_per_item: Annotated[
        int,
        msgspec.Meta(
            description="dot voting: most dots one person may put on one item (default 3)"
        ),
    ]
    rank_count: Annotated[
        int,
        msgspec.Meta(
            description="ranking: how many items each person orders (1–10; default 3)"  # noqa: RUF001
        ),
    ]
    budget: Annotated[
        int | None,
        msgspec.Meta(description="dots (dot voting), places (ranking), `null` for approval"),
    ]
    show_live: Annotated[bool, msgspec.Meta(description="tallies shown to everyone while voting")]
    revealed: Annotated[bool, msgspec.Meta(description="the facilitator revealed the tallies")]
    tallies_public: Annotated[
        bool,
        msgspec.Meta(
            description="`show_live` or `revealed`: whether citizens, observers and the "
            "projector see tallies"
        ),
    ]
    revision: Annotated[int, msgspec.Meta(description="grows with every change to the rules")]


class Vote(Shape):
    """One of a participant's marks."""

    target_type: Annotated[str, msgspec.Meta(description=TARGETS)]
    target_id: int
    weight: Annotated[
        int,
        msgspec.Meta(
            description="the dots (dot voting), 1 (approval) or the points (ranking: the top "
            "choice earns `rank_count`, each next one a point less, so a full ranking's last "
            "earns 1)"
        ),
    ]
    rank: Annotated[
        int | None,
        msgspec.Meta(
            description="the place in a ranking (1 for the top choice, 2 for the next, and so "
            "on), `null` in dot and approval voting"
        ),
    ]


class OwnBallot(Shape):
    """A participant's marks and what they have left; only ever sent to them."""

    votes: Annotated[list[Vote], msgspec.Meta(description="the participant's marks")]
    remaining: Annotated[
        int | None, msgspec.Meta(description="dots or places left; `null` for approval")
    ]
    revision: Annotated[
        int,
        msgspec.Meta(
            description="grows with every change; keep the highest one you have seen, because "
            "two tabs can hear updates out of order"
        ),
    ]


class Tally(Shape):
    """One item's standing in the vote."""

    target_type: Annotated[str, msgspec.Meta(description=TARGETS)]
    target_id: int
    label: Annotated[str, msgspec.Meta(description="the idea's text or the cluster's name")]
    total: Annotated[int, msgspec.Meta(description="the weights of its votes added up")]
    supporters: Annotated[int, msgspec.Meta(description="distinct people who voted for it")]
    position: Annotated[int, msgspec.Meta(description="shared by equal totals (1, 2, 2, 4)")]


SHAPES: dict[str, type[Shape]] = {
    "Ballot": Ballot,
    "Vote": Vote,
    "OwnBallot": OwnBallot,
    "Tally": Tally,
}


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


class BallotUpdated(OwnBallot, Data):
    """Own ballot: a participant's marks and what they have left."""


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
