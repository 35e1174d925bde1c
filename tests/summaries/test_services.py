"""Writing value propositions together: edits, the conflict case, suggestions, bad input."""

from __future__ import annotations

import pytest

from summaries import services
from summaries.models import PropositionField, ValueProposition
from summaries.selectors import snapshot_part
from tests.factories import HOSTILE_HTML, actor_for
from workshops.errors import ActionRefused
from workshops.phases import Phase

from .conftest import Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposition(room: Room) -> ValueProposition:
    facilitator = actor_for("facilitator", room.workshop)
    return services.proposition_start(
        actor=facilitator, target_type="cluster", target_id=room.clusters["wifi"].pk
    )


def _field(proposition: ValueProposition, name: str) -> PropositionField:
    return PropositionField.objects.get(proposition=proposition, name=name)


def test_starting_twice_for_the_same_cluster_gives_the_first(room: Room, proposition) -> None:
    facilitator = actor_for("facilitator", room.workshop)
    again = services.proposition_start(
        actor=facilitator, target_type="cluster", target_id=room.clusters["wifi"].pk
    )
    assert again.pk == proposition.pk
    assert ValueProposition.objects.filter(workshop=room.workshop).count() == 1


def test_an_edit_on_the_latest_version_changes_the_text(room: Room, proposition) -> None:
    facilitator = actor_for("facilitator", room.workshop)
    _, conflict = services.proposition_edit(
        actor=facilitator,
        proposition_id=proposition.pk,
        field="need",
        text=f"A stable connection {HOSTILE_HTML}",
        revision=0,
    )
    assert conflict is None
    field = _field(proposition, "need")
    assert field.text == "A stable connection alert(1)"  # the markup is gone, the words stay
    assert field.revision == 1


def test_two_facilitators_editing_at_once_keep_both_texts(room: Room, proposition) -> None:
    first = actor_for("facilitator", room.workshop)
    second = actor_for("facilitator", room.workshop)
    # Both opened the field at revision 0; the first one saves first.
    services.proposition_edit(
        actor=first, proposition_id=proposition.pk, field="offer", text="Mesh routers", revision=0
    )
    _, conflict = services.proposition_edit(
        actor=second, proposition_id=proposition.pk, field="offer", text="Fibre line", revision=0
    )
    # Nothing is overwritten: the first text stands, the second is kept next to it.
    assert _field(proposition, "offer").text == "Mesh routers"
    assert conflict is not None
    assert conflict["yours"] == "Fibre line"
    assert conflict["current"] == "Mesh routers"
    shown = snapshot_part(actor=first)["propositions"]["items"][0]
    assert [a["text"] for a in shown["alternatives"]] == ["Fibre line"]
    # Citizens see the standing text only.
    citizen_view = snapshot_part(actor=actor_for("citizen", room.workshop))["propositions"]
    assert citizen_view["items"][0]["alternatives"] == []

    services.proposition_resolve(
        actor=first, alternative_id=conflict["alternative_id"], keep="alternative"
    )
    assert _field(proposition, "offer").text == "Fibre line"
    assert snapshot_part(actor=first)["propositions"]["items"][0]["alternatives"] == []


def test_a_suggestion_needs_the_facilitators_leave(room: Room, proposition) -> None:
    citizen = actor_for("citizen", room.workshop)
    facilitator = actor_for("facilitator", room.workshop)
    with pytest.raises(ActionRefused) as refused:
        services.proposition_suggest(
            actor=citizen, proposition_id=proposition.pk, field="need", text="Study at night"
        )
    assert refused.value.code == "forbidden"

    services.propositions_allow_suggestions(actor=facilitator, allowed=True)
    services.proposition_suggest(
        actor=citizen, proposition_id=proposition.pk, field="need", text="Study at night"
    )
    # The text does not change until a facilitator accepts it.
    assert _field(proposition, "need").text == ""
    [suggestion] = snapshot_part(actor=facilitator)["propositions"]["items"][0]["suggestions"]
    assert suggestion["text"] == "Study at night"
    services.proposition_suggestion_resolve(
        actor=facilitator, suggestion_id=suggestion["id"], accept=True
    )
    assert _field(proposition, "need").text == "Study at night"
    assert snapshot_part(actor=facilitator)["propositions"]["items"][0]["suggestions"] == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"field": "colour"}, "invalid"),
        ({"text": 42}, "invalid"),
        ({"text": "x" * 2001}, "invalid"),
        ({"revision": "0"}, "invalid"),
        ({"revision": 7}, "invalid"),
        ({"proposition_id": 999999}, "not_found"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    room: Room, proposition, changes: dict, code: str
) -> None:
    facilitator = actor_for("facilitator", room.workshop)
    arguments = {
        "proposition_id": proposition.pk,
        "field": "need",
        "text": "Quiet",
        "revision": 0,
        **changes,
    }
    with pytest.raises(ActionRefused) as refused:
        services.proposition_edit(actor=facilitator, **arguments)
    assert refused.value.code == code
    assert not PropositionField.objects.filter(proposition=proposition).exclude(text="").exists()


def test_another_workshops_proposition_is_not_found(room: Room, proposition, stranger) -> None:
    from tests.factories import WorkshopFactory

    other = WorkshopFactory(owner=stranger, phase=Phase.PROPOSE)
    with pytest.raises(ActionRefused) as refused:
        services.proposition_edit(
            actor=actor_for("facilitator", other),
            proposition_id=proposition.pk,
            field="need",
            text="Taken over",
            revision=0,
        )
    assert refused.value.code == "not_found"
    assert _field(proposition, "need").text == ""
