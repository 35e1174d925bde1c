"""Every voting action, by every role, in every phase: allowed writes, refused changes nothing.

The expected outcome comes from the table below, written out by hand, so a change
to the rules in workshops/phases.py has to be made twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ideas.models import Idea
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from tests.permission_tables import assert_table_complete, outcome
from voting import services
from voting.models import Ballot, Vote, Voter
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase, Role

# Y: allowed and written.  F: refused as "forbidden".  W: refused as "wrong_phase".
# fmt: off
EXPECTED: dict[str, dict[Role, str]] = {
    #                      lobby    ideate   group    vote     results  propose  closed
    "vote_set": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        W        W        Y        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "vote_approve": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        W        W        Y        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "vote_rank": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        W        W        Y        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "ballot_configure": {
        Role.FACILITATOR: "Y        Y        Y        Y        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "tallies_reveal": {
        Role.FACILITATOR: "W        W        W        Y        Y        Y        Y",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
}
# fmt: on


def expected(action: str, role: Role, phase: Phase) -> str:
    return outcome(EXPECTED, action, role, phase)


def voting_state(workshop: Workshop) -> dict[str, list[Any]]:
    """Everything a voting write could change in this room, as plain values."""
    return {
        "ballot": list(Ballot.objects.filter(workshop=workshop).values()),
        "votes": list(Vote.objects.filter(ballot__workshop=workshop).order_by("pk").values()),
        "voters": list(
            Voter.objects.filter(participant__workshop=workshop).order_by("pk").values()
        ),
        "workshop": list(Workshop.objects.filter(pk=workshop.pk).values()),
    }


# Each action: the method the room must vote by, how to call it, and what it must change.
ACTIONS: dict[str, tuple[str, Callable[[Actor, Idea], Any], str]] = {
    "vote_set": (
        "dots",
        lambda actor, idea: services.vote_set(
            actor=actor, target_type="idea", target_id=idea.pk, dots=2
        ),
        "votes",
    ),
    "vote_approve": (
        "approval",
        lambda actor, idea: services.vote_approve(
            actor=actor, target_type="idea", target_id=idea.pk, approved=True
        ),
        "votes",
    ),
    "vote_rank": (
        "ranking",
        lambda actor, idea: services.vote_rank(actor=actor, target_type="idea", order=[idea.pk]),
        "votes",
    ),
    "ballot_configure": (
        "dots",
        lambda actor, idea: services.ballot_configure(
            actor=actor,
            method="approval",
            target="idea",
            dots_per_participant=5,
            max_dots_per_item=3,
            rank_count=3,
            show_live=True,
        ),
        "ballot",
    ),
    "tallies_reveal": ("dots", lambda actor, idea: services.tallies_reveal(actor=actor), "ballot"),
}


def test_the_table_covers_every_action_role_and_phase() -> None:
    assert_table_complete(EXPECTED, ACTIONS, {"Y", "F", "W"})


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_voting_permission(
    action: str,
    role: Role,
    phase: Phase,
    workshop: Workshop,
    django_capture_on_commit_callbacks: Any,
) -> None:
    method, call, touches = ACTIONS[action]
    Ballot.objects.create(workshop=workshop, method=method)
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Open late on Fridays")
    actor = actor_for(role, workshop, phase)
    before = voting_state(workshop)
    outcome = expected(action, role, phase)

    with django_capture_on_commit_callbacks() as published:
        if outcome in {"F", "W"}:
            with pytest.raises(ActionRefused) as refused:
                call(actor, idea)
        else:
            call(actor, idea)
    after = voting_state(workshop)

    if outcome in {"F", "W"}:
        assert refused.value.code == ("forbidden" if outcome == "F" else "wrong_phase")
        assert refused.value.message, "a refusal must tell the person why"
        assert after == before, "a refused action changed the room"
        assert published == [], "a refused action told the room about it"
    else:
        assert after[touches] != before[touches], f"{action} was allowed but wrote nothing"
        assert published, f"{action} was allowed but told nobody"
        assert after["workshop"] == before["workshop"]
