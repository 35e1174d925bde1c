"""Room commands about voting: their declared fields, and the call to each service.

Who votes is always the connection's own participant: a frame cannot name another
(it has no such field, and an unknown field is refused).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.actors import Actor
from workshops.registry import Command, Fields

from . import services
from .serializers import ballot_as_dict

_TARGET_TYPE = msgspec.Meta(description="`idea` or `cluster`, as the ballot's `target`")


class SetDots(Fields):
    target_type: Annotated[str, _TARGET_TYPE]
    target_id: int
    dots: Annotated[int, msgspec.Meta(description="0 or more; 0 takes every dot back")]


class Approve(Fields):
    target_type: Annotated[str, _TARGET_TYPE]
    target_id: int
    approved: bool


class Rank(Fields):
    target_type: Annotated[str, _TARGET_TYPE]
    order: Annotated[
        list[int], msgspec.Meta(description="ids, best first, at most `rank_count`; `[]` clears")
    ]


class Configure(Fields):
    method: Annotated[str, msgspec.Meta(description="`dots`, `approval` or `ranking`")]
    target: Annotated[str, msgspec.Meta(description="`idea` or `cluster`")]
    dots_per_participant: int
    max_dots_per_item: int
    rank_count: int
    show_live: bool
    clear_votes: bool = False


def _set(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    own = services.vote_set(
        actor=actor,
        target_type=frame.get("target_type"),
        target_id=frame.get("target_id"),
        dots=frame.get("dots"),
    )
    return own.as_dict()


def _approve(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    own = services.vote_approve(
        actor=actor,
        target_type=frame.get("target_type"),
        target_id=frame.get("target_id"),
        approved=frame.get("approved"),
    )
    return own.as_dict()


def _rank(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    own = services.vote_rank(
        actor=actor, target_type=frame.get("target_type"), order=frame.get("order")
    )
    return own.as_dict()


def _configure(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    ballot, cleared = services.ballot_configure(
        actor=actor,
        method=frame.get("method"),
        target=frame.get("target"),
        dots_per_participant=frame.get("dots_per_participant"),
        max_dots_per_item=frame.get("max_dots_per_item"),
        rank_count=frame.get("rank_count"),
        show_live=frame.get("show_live"),
        clear_votes=frame.get("clear_votes") is True,
    )
    return {"ballot": ballot_as_dict(ballot), "cleared_votes": cleared}


def _reveal(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    ballot = services.tallies_reveal(actor=actor)
    return {"ballot": ballot_as_dict(ballot)}


_VOTER = "citizen, vote"

COMMANDS: dict[str, Command] = {
    "vote.set": Command(
        _set,
        SetDots,
        who=f"{_VOTER}, dot voting",
        answer="own ballot",
        batched=True,
        together=services.votes_set_together,
    ),
    "vote.approve": Command(
        _approve,
        Approve,
        who=f"{_VOTER}, approval",
        answer="own ballot",
        batched=True,
        together=services.votes_approve_together,
    ),
    "vote.rank": Command(
        _rank,
        Rank,
        who=f"{_VOTER}, ranking",
        answer="own ballot",
        batched=True,
        together=services.votes_rank_together,
    ),
    "voting.configure": Command(
        _configure,
        Configure,
        who="facilitator; lobby, ideate, group, vote",
        answer="`ballot`, `cleared_votes`",
    ),
    "tallies.reveal": Command(
        _reveal, who="facilitator; vote, results, propose, closed", answer="`ballot`"
    ),
}
