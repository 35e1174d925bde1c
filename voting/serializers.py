"""The one shape of each voting thing, shared by the snapshot, the events and the HTTP answers."""

from __future__ import annotations

from typing import Any

from .models import Ballot, Vote


def ballot_as_dict(ballot: Ballot) -> dict[str, Any]:
    return {
        "method": ballot.method,
        "method_label": str(Ballot.Method(ballot.method).label),
        "target": ballot.target,
        "dots_per_participant": ballot.dots_per_participant,
        "max_dots_per_item": ballot.max_dots_per_item,
        "rank_count": ballot.rank_count,
        "budget": ballot.budget(),
        "show_live": ballot.show_live,
        "revealed": ballot.revealed_at is not None,
        "tallies_public": ballot.tallies_public,
        "revision": ballot.revision,
    }


def ballot_labels(data: dict[str, Any]) -> None:
    """Write an event's voting method label again in the active language
    (declared with workshops.registry.add_labels)."""
    ballot = data["ballot"]
    ballot["method_label"] = str(Ballot.Method(ballot["method"]).label)


def vote_as_dict(vote: Vote) -> dict[str, Any]:
    return {
        "target_type": vote.target_type,
        "target_id": vote.target_id,
        "weight": vote.weight,
        "rank": vote.rank,
    }


def own_ballot_as_dict(
    *, votes: list[Vote], remaining: int | None, revision: int
) -> dict[str, Any]:
    """A participant's own marks and what they have left; only ever sent to them."""
    ordered = sorted(votes, key=lambda vote: (vote.rank or 0, vote.target_id))
    return {
        "votes": [vote_as_dict(vote) for vote in ordered],
        "remaining": remaining,
        "revision": revision,
    }
