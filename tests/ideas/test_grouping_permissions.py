"""Every grouping action, by every role, in every phase: allowed writes, refused changes nothing.

The expected outcome comes from the table below, written out by hand, so a change to
the rules in workshops/phases.py (or to the participants' grouping flag) has to be
made twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from taggit.models import TaggedItem

from ideas import grouping
from ideas.models import Cluster, ClusterSuggestion, Idea
from ideas.selectors import ideas_similar_to
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from tests.permission_tables import assert_table_complete, outcome
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase, Role

# Y: allowed and written (for the read "similar": allowed and answered).
# F: refused as "forbidden".  W: refused as "wrong_phase".
_FACILITATOR_SORTS = "W        Y        Y        W        W        W        W"
_NOBODY_ELSE = "F        F        F        F        F        F        F"
# fmt: off
EXPECTED: dict[str, dict[Role, str]] = {
    #                      lobby    ideate   group    vote     results  propose  closed
    "cluster_create": {
        Role.FACILITATOR: _FACILITATOR_SORTS,
        Role.CITIZEN:     _NOBODY_ELSE,
        Role.OBSERVER:    _NOBODY_ELSE,
        Role.OUTSIDER:    _NOBODY_ELSE,
    },
    "cluster_rename": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "clusters_reorder": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "cluster_delete": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    # The facilitator has not opened grouping to participants.
    "idea_move": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "W        W        F        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    # The facilitator has opened grouping to participants.
    "idea_move_when_allowed": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "W        W        Y        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "idea_merge": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "idea_tag": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "cluster_tag": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "grouping_set_permission": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "clusters_suggest": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "suggestion_accept": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "suggestion_reject": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    # A read: while typing an idea, or (facilitators) while sorting.
    "ideas_similar_to": {
        Role.FACILITATOR: "W        Y        Y        W        W        W        W",
        Role.CITIZEN:     "W        Y        W        W        W        W        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
}
# fmt: on


def expected(action: str, role: Role, phase: Phase) -> str:
    return outcome(EXPECTED, action, role, phase)


@dataclass
class Board:
    idea: Idea
    duplicate: Idea
    first: Cluster
    second: Cluster
    suggestion: ClusterSuggestion


def room_state(workshop: Workshop) -> dict[str, list[Any]]:
    """Everything a grouping write could change in this room, as plain values."""
    ideas = Idea.objects.filter(workshop=workshop)
    clusters = Cluster.objects.filter(workshop=workshop)
    return {
        "workshop": list(Workshop.objects.filter(pk=workshop.pk).values()),
        "ideas": list(ideas.order_by("pk").values()),
        "clusters": list(clusters.order_by("pk").values()),
        "suggestions": list(
            ClusterSuggestion.objects.filter(workshop=workshop).order_by("pk").values()
        ),
        "tags": sorted(
            TaggedItem.objects.filter(
                object_id__in=[
                    *ideas.values_list("pk", flat=True),
                    *clusters.values_list("pk", flat=True),
                ]
            ).values_list("content_type_id", "object_id", "tag__name")
        ),
    }


Call = Callable[[Actor, Board], Any]
# Each action: how to call it, and the parts of the room an allowed call must change.
ACTIONS: dict[str, tuple[Call, set[str]]] = {
    "cluster_create": (
        lambda actor, b: grouping.cluster_create(actor=actor, name="Opening hours"),
        {"clusters"},
    ),
    "cluster_rename": (
        lambda actor, b: grouping.cluster_rename(
            actor=actor, cluster_id=b.first.pk, name="Late hours"
        ),
        {"clusters"},
    ),
    "clusters_reorder": (
        lambda actor, b: grouping.clusters_reorder(
            actor=actor, cluster_ids=[b.second.pk, b.first.pk]
        ),
        {"clusters"},
    ),
    "cluster_delete": (
        lambda actor, b: grouping.cluster_delete(actor=actor, cluster_id=b.second.pk),
        {"clusters"},
    ),
    "idea_move": (
        lambda actor, b: grouping.idea_move(actor=actor, idea_id=b.idea.pk, cluster_id=b.first.pk),
        {"ideas"},
    ),
    "idea_move_when_allowed": (
        lambda actor, b: grouping.idea_move(actor=actor, idea_id=b.idea.pk, cluster_id=b.first.pk),
        {"ideas"},
    ),
    "idea_merge": (
        lambda actor, b: grouping.idea_merge(
            actor=actor, idea_id=b.duplicate.pk, into_id=b.idea.pk
        ),
        {"ideas"},
    ),
    "idea_tag": (
        lambda actor, b: grouping.idea_tag(actor=actor, idea_id=b.idea.pk, tags=["hours"]),
        {"ideas", "tags"},
    ),
    "cluster_tag": (
        lambda actor, b: grouping.cluster_tag(actor=actor, cluster_id=b.first.pk, tags=["hours"]),
        {"clusters", "tags"},
    ),
    "grouping_set_permission": (
        lambda actor, b: grouping.grouping_set_permission(actor=actor, allowed=True),
        {"workshop"},
    ),
    "clusters_suggest": (
        lambda actor, b: grouping.clusters_suggest(actor=actor),
        {"suggestions"},
    ),
    "suggestion_accept": (
        lambda actor, b: grouping.suggestion_accept(actor=actor, suggestion_id=b.suggestion.pk),
        {"clusters", "ideas", "suggestions"},
    ),
    "suggestion_reject": (
        lambda actor, b: grouping.suggestion_reject(actor=actor, suggestion_id=b.suggestion.pk),
        {"suggestions"},
    ),
    "ideas_similar_to": (
        lambda actor, b: ideas_similar_to(actor=actor, text="Open late on Fridays please"),
        set(),
    ),
}


def test_the_table_covers_every_action_role_and_phase() -> None:
    assert_table_complete(EXPECTED, ACTIONS, {"Y", "F", "W"})


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_grouping_permission(
    action: str,
    role: Role,
    phase: Phase,
    workshop: Workshop,
    django_capture_on_commit_callbacks: Any,
) -> None:
    call, touches = ACTIONS[action]
    if action == "idea_move_when_allowed":
        Workshop.objects.filter(pk=workshop.pk).update(participants_may_group=True)
    author = ParticipantFactory(workshop=workshop)
    idea = IdeaFactory(author=author, text="Open late on Fridays")
    duplicate = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Open late Fridays")
    first = Cluster.objects.create(workshop=workshop, name="Hours", position=0)
    second = Cluster.objects.create(workshop=workshop, name="Bikes", position=1)
    suggestion = ClusterSuggestion.objects.create(workshop=workshop, name="Open, late")
    suggestion.ideas.set([idea, duplicate])
    board = Board(idea, duplicate, first, second, suggestion)
    actor = actor_for(role, workshop, phase, participant=author if role is Role.CITIZEN else None)
    before = room_state(workshop)
    outcome = expected(action, role, phase)

    with django_capture_on_commit_callbacks() as published:
        if outcome in {"F", "W"}:
            with pytest.raises(ActionRefused) as refused:
                call(actor, board)
        else:
            result = call(actor, board)
    after = room_state(workshop)

    if outcome in {"F", "W"}:
        assert refused.value.code == ("forbidden" if outcome == "F" else "wrong_phase")
        assert refused.value.message, "a refusal must tell the person why"
        assert after == before, "a refused action changed the room"
        assert published == [], "a refused action told the room about it"
        return
    for part in touches:
        assert after[part] != before[part], f"{action} was allowed but did not change {part}"
    untouched = {key: value for key, value in after.items() if key not in touches}
    assert untouched == {key: value for key, value in before.items() if key not in touches}
    if not touches:
        assert result, "an allowed read must answer"
        assert published == []
