"""Every service action, by every role, in every phase: allowed writes, refused changes nothing.

The expected outcome comes from the table below, written out by hand, so a change
to the rules in workshops/phases.py has to be made twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ideas import services as idea_services
from ideas.models import Idea
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory, actor_for
from tests.permission_tables import assert_table_complete, outcome
from workshops import services
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import FacilitatorInvitation, Participant, Workshop
from workshops.phases import Phase, Role

# Y: allowed and written.  F: refused as "forbidden".  W: refused as "wrong_phase".
# S: allowed, but the citizen already is in the room, so they get their own place back.
# fmt: off
EXPECTED: dict[str, dict[Role, str]] = {
    #                      lobby    ideate   group    vote     results  propose  closed
    "idea_post": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        Y        W        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "idea_edit": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        Y        W        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "idea_withdraw": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        Y        W        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "participant_join": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "S        S        S        S        S        S        S",
        Role.OBSERVER:    "Y        Y        Y        Y        Y        Y        W",
        Role.OUTSIDER:    "Y        Y        Y        Y        Y        Y        W",
    },
    "participant_rename": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "Y        Y        W        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "workshop_change_phase": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "workshop_set_timer": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "facilitator_invite": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        Y",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "workshop_update": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        Y",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
}
# fmt: on


def expected(action: str, role: Role, phase: Phase) -> str:
    return outcome(EXPECTED, action, role, phase)


def room_state(workshop: Workshop) -> dict[str, list[Any]]:
    """Everything a write could change in this room, as plain values."""
    return {
        "workshop": list(Workshop.objects.filter(pk=workshop.pk).values()),
        "facilitators": sorted(workshop.facilitators.values_list("pk", flat=True)),
        "participants": list(Participant.objects.filter(workshop=workshop).order_by("pk").values()),
        "ideas": list(Idea.objects.filter(workshop=workshop).order_by("pk").values()),
        "invitations": list(
            FacilitatorInvitation.objects.filter(workshop=workshop).order_by("pk").values()
        ),
    }


def _other_phase(phase: str) -> str:
    return Phase.LOBBY if phase == Phase.IDEATE else Phase.IDEATE


# Each action: how to call it, and the part of the room an allowed call must change.
ACTIONS: dict[str, tuple[Callable[[Actor, Idea], Any], str]] = {
    "idea_post": (
        lambda actor, idea: idea_services.idea_post(
            actor=actor, text=f"Free wifi {HOSTILE_HTML}", client_key="permission-key-1"
        ),
        "ideas",
    ),
    "idea_edit": (
        lambda actor, idea: idea_services.idea_edit(
            actor=actor, idea_id=idea.pk, text="Open late on Saturdays too"
        ),
        "ideas",
    ),
    "idea_withdraw": (
        lambda actor, idea: idea_services.idea_withdraw(actor=actor, idea_id=idea.pk),
        "ideas",
    ),
    "participant_join": (
        lambda actor, idea: services.participant_join(actor=actor, display_name="Kind Heron 12"),
        "participants",
    ),
    "participant_rename": (
        lambda actor, idea: services.participant_rename(actor=actor, display_name="Quiet Owl"),
        "participants",
    ),
    "workshop_change_phase": (
        lambda actor, idea: services.workshop_change_phase(
            actor=actor, phase=_other_phase(actor.workshop.phase), duration_seconds=300
        ),
        "workshop",
    ),
    "workshop_set_timer": (
        lambda actor, idea: services.workshop_set_timer(actor=actor, duration_seconds=600),
        "workshop",
    ),
    "facilitator_invite": (
        lambda actor, idea: services.facilitator_invite(actor=actor, email="ally@example.org"),
        "invitations",
    ),
    "workshop_update": (
        lambda actor, idea: services.workshop_update(
            actor=actor,
            title="Library after dark",
            question="What would bring you to the library at night?",
            context="",
            language="da",
        ),
        "workshop",
    ),
}


def test_the_table_covers_every_action_role_and_phase() -> None:
    assert_table_complete(EXPECTED, ACTIONS, {"Y", "F", "W", "S"})


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_service_permission(
    action: str,
    role: Role,
    phase: Phase,
    workshop: Workshop,
    django_capture_on_commit_callbacks: Any,
) -> None:
    call, touches = ACTIONS[action]
    # The idea to edit or withdraw belongs to the acting citizen, or to someone else.
    author = ParticipantFactory(workshop=workshop)
    idea = IdeaFactory(author=author, text="Open late on Fridays")
    actor = actor_for(role, workshop, phase, participant=author if role is Role.CITIZEN else None)
    before = room_state(workshop)
    outcome = expected(action, role, phase)

    with django_capture_on_commit_callbacks() as published:
        if outcome in {"F", "W"}:
            with pytest.raises(ActionRefused) as refused:
                call(actor, idea)
        else:
            result = call(actor, idea)
    after = room_state(workshop)

    if outcome in {"F", "W"}:
        assert refused.value.code == ("forbidden" if outcome == "F" else "wrong_phase")
        assert refused.value.message, "a refusal must tell the person why"
        assert after == before, "a refused action changed the room"
        assert published == [], "a refused action told the room about it"
    elif outcome == "S":
        assert result == author
        assert after == before
        assert published == []
    else:
        assert after[touches] != before[touches], f"{action} was allowed but wrote nothing"
        untouched = {key: value for key, value in after.items() if key != touches}
        assert untouched == {key: value for key, value in before.items() if key != touches}
