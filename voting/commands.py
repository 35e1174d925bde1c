"""Room commands about voting: check the frame's fields, call the service, answer.

Who votes is always the connection's own participant; any participant id in a frame
is ignored.
"""

from __future__ import annotations

from typing import Any

from workshops.actors import Actor
from workshops.registry import Command

from . import services
from .serializers import ballot_as_dict


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


COMMANDS: dict[str, Command] = {
    "vote.set": Command(_set),
    "vote.approve": Command(_approve),
    "vote.rank": Command(_rank),
    "voting.configure": Command(_configure),
    "tallies.reveal": Command(_reveal),
}
