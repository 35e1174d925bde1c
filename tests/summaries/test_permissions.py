"""Every value-proposition and summary action, by every role, in every phase.

The expected outcome comes from the table below, written out by hand, so a change to
the rules in workshops/phases.py has to be made twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ideas.models import Cluster
from summaries import services
from summaries.models import (
    NameConsent,
    PropositionField,
    PropositionSettings,
    PropositionSuggestion,
    SummaryShare,
    ValueProposition,
)
from tests import permission_tables
from tests.factories import actor_for
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase, Role

pytestmark = pytest.mark.django_db

# Y: allowed and written.  F: refused as "forbidden".  W: refused as "wrong_phase".
# fmt: off
EXPECTED: dict[str, dict[Role, str]] = {
    #                      lobby    ideate   group    vote     results  propose  closed
    "proposition_start": {
        Role.FACILITATOR: "W        W        W        W        W        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "proposition_edit": {
        Role.FACILITATOR: "W        W        W        W        W        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "proposition_suggest": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "W        W        W        W        W        Y        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "propositions_allow_suggestions": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        W",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "name_consent_set": {
        Role.FACILITATOR: "F        F        F        F        F        F        F",
        Role.CITIZEN:     "Y        Y        Y        Y        Y        Y        W",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
    "summary_share_create": {
        Role.FACILITATOR: "Y        Y        Y        Y        Y        Y        Y",
        Role.CITIZEN:     "F        F        F        F        F        F        F",
        Role.OBSERVER:    "F        F        F        F        F        F        F",
        Role.OUTSIDER:    "F        F        F        F        F        F        F",
    },
}
# fmt: on


def _proposition(workshop: Workshop) -> ValueProposition:
    cluster = Cluster.objects.create(workshop=workshop, name="Wifi")
    proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster, position=1)
    for name in PropositionField.Name.values:
        PropositionField.objects.create(proposition=proposition, name=name)
    return proposition


def _start(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    cluster = Cluster.objects.create(workshop=workshop, name="Hours")
    return lambda: services.proposition_start(
        actor=actor, target_type="cluster", target_id=cluster.pk
    )


def _edit(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    proposition = _proposition(workshop)
    return lambda: services.proposition_edit(
        actor=actor, proposition_id=proposition.pk, field="need", text="Quiet space", revision=0
    )


def _suggest(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    proposition = _proposition(workshop)
    PropositionSettings.objects.create(workshop=workshop, participants_may_suggest=True)
    return lambda: services.proposition_suggest(
        actor=actor, proposition_id=proposition.pk, field="need", text="Quiet space"
    )


def _allow(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    return lambda: services.propositions_allow_suggestions(actor=actor, allowed=True)


def _consent(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    return lambda: services.name_consent_set(actor=actor, agreed=True)


def _share(actor: Actor, workshop: Workshop) -> Callable[[], Any]:
    return lambda: services.summary_share_create(actor=actor)


ACTIONS: dict[str, Callable[[Actor, Workshop], Callable[[], Any]]] = {
    "proposition_start": _start,
    "proposition_edit": _edit,
    "proposition_suggest": _suggest,
    "propositions_allow_suggestions": _allow,
    "name_consent_set": _consent,
    "summary_share_create": _share,
}


def _written(workshop: Workshop) -> tuple[int, ...]:
    """What any of these actions would have written."""
    return (
        ValueProposition.objects.filter(workshop=workshop).count(),
        PropositionField.objects.filter(proposition__workshop=workshop).exclude(text="").count(),
        PropositionSuggestion.objects.filter(field__proposition__workshop=workshop).count(),
        PropositionSettings.objects.filter(
            workshop=workshop, participants_may_suggest=True
        ).count(),
        NameConsent.objects.filter(participant__workshop=workshop).count(),
        SummaryShare.objects.filter(workshop=workshop).count(),
    )


CASES = [
    (action, role, phase, permission_tables.outcome(EXPECTED, action, role, phase))
    for action in EXPECTED
    for role in Role
    for phase in permission_tables.PHASE_COLUMNS
]


def test_the_table_covers_every_phase_and_every_action() -> None:
    permission_tables.assert_table_complete(EXPECTED, ACTIONS, {"Y", "F", "W"})


@pytest.mark.parametrize(("action", "role", "phase", "expected"), CASES)
def test_permission(
    workshop: Workshop, action: str, role: Role, phase: Phase, expected: str
) -> None:
    actor = actor_for(role, workshop, phase)
    call = ACTIONS[action](actor, actor.workshop)
    before = _written(workshop)
    if expected == "Y":
        call()
        assert _written(workshop) != before
        return
    with pytest.raises(ActionRefused) as refused:
        call()
    assert refused.value.code == {"F": "forbidden", "W": "wrong_phase"}[expected]
    assert _written(workshop) == before
