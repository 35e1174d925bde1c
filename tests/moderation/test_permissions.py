"""Every moderation action, by every role, in every phase; a refusal changes nothing.

The expected outcome is written out by hand, so a change to the rules in
workshops/phases.py has to be made twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ideas.models import Idea
from moderation import services
from moderation.models import Flag, ModerationAction, ModerationSettings, ParticipantRestriction
from tests import permission_tables
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Participant, Workshop
from workshops.phases import Phase, Role

_MODERATE = {
    Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        Y",
    Role.CITIZEN: "F        F        F        F        F        F        F",
    Role.OBSERVER: "F        F        F        F        F        F        F",
    Role.OUTSIDER: "F        F        F        F        F        F        F",
}
# fmt: off
EXPECTED: dict[str, dict[Role, str]] = {
    #                      lobby    ideate   group    vote     results  propose  closed
    "idea_approve": _MODERATE,
    "idea_hide": _MODERATE,
    "idea_restore": _MODERATE,
    "idea_moderate_text": _MODERATE,
    "idea_delete": _MODERATE,
    "participant_mute": _MODERATE,
    "participant_unmute": _MODERATE,
    "participant_remove": _MODERATE,
    "moderation_configure": _MODERATE,
    "idea_flag": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "Y        Y        Y        Y        Y        Y        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "participant_erase_self": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "Y        Y        Y        Y        Y        Y        Y",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
}
# fmt: on


def _idea(status: str) -> Callable[[dict[str, Any]], Any]:
    def make(board: dict[str, Any]) -> Idea:
        Idea.objects.filter(pk=board["idea"].pk).update(status=status)
        return board["idea"]

    return make


# Each action: how to call it (on a board made beforehand) and what an allowed call changes.
ACTIONS: dict[str, Callable[[Actor, dict[str, Any]], Any]] = {
    "idea_approve": lambda a, b: services.idea_approve(actor=a, idea_id=b["held"].pk),
    "idea_hide": lambda a, b: services.idea_hide(actor=a, idea_id=b["idea"].pk),
    "idea_restore": lambda a, b: services.idea_restore(actor=a, idea_id=b["hidden"].pk),
    "idea_moderate_text": lambda a, b: services.idea_moderate_text(
        actor=a, idea_id=b["idea"].pk, text="Benches, please"
    ),
    "idea_delete": lambda a, b: services.idea_delete(actor=a, idea_id=b["idea"].pk),
    "participant_mute": lambda a, b: services.participant_mute(
        actor=a, participant_id=b["other"].pk
    ),
    "participant_unmute": lambda a, b: services.participant_unmute(
        actor=a, participant_id=b["muted"].pk
    ),
    "participant_remove": lambda a, b: services.participant_remove(
        actor=a, participant_id=b["other"].pk
    ),
    "moderation_configure": lambda a, b: services.moderation_configure(
        actor=a, mode="pre", flag_threshold=2, word_list="parking", retention_days=7
    ),
    "idea_flag": lambda a, b: services.idea_flag(actor=a, idea_id=b["idea"].pk, reason="spam"),
    "participant_erase_self": lambda a, b: services.participant_erase_self(actor=a),
}


def room_state(workshop: Workshop) -> dict[str, list[Any]]:
    return {
        "ideas": list(Idea.objects.filter(workshop=workshop).order_by("pk").values()),
        "participants": list(Participant.objects.filter(workshop=workshop).order_by("pk").values()),
        "flags": list(Flag.objects.order_by("pk").values()),
        "restrictions": list(ParticipantRestriction.objects.order_by("pk").values()),
        "settings": list(ModerationSettings.objects.values()),
        "log": list(ModerationAction.objects.order_by("pk").values()),
    }


def test_the_table_covers_every_action_role_and_phase() -> None:
    permission_tables.assert_table_complete(EXPECTED, ACTIONS, {"Y", "F", "W"})


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_moderation_permission(
    action: str,
    role: Role,
    phase: Phase,
    workshop: Workshop,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = ParticipantFactory(workshop=workshop)
    muted = ParticipantFactory(workshop=workshop)
    ParticipantRestriction.objects.create(participant=muted, kind="muted")
    board = {
        "idea": IdeaFactory(author=other, text="Benches"),
        "held": IdeaFactory(author=other, text="Held", status=Idea.Status.HELD),
        "hidden": IdeaFactory(author=other, text="Hidden", status=Idea.Status.HIDDEN),
        "other": other,
        "muted": muted,
    }
    actor = actor_for(role, workshop, phase)
    before = room_state(workshop)
    outcome = permission_tables.outcome(EXPECTED, action, role, phase)

    with django_capture_on_commit_callbacks() as published:
        if outcome == "Y":
            ACTIONS[action](actor, board)
        else:
            with pytest.raises(ActionRefused) as refused:
                ACTIONS[action](actor, board)
            assert refused.value.code == {"F": "forbidden", "W": "wrong_phase"}[outcome]

    if outcome == "Y":
        assert room_state(workshop) != before
        assert published, "an allowed action must tell the room"
    else:
        assert room_state(workshop) == before
        assert published == []
