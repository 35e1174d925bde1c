"""Every room command's fields and every event's data are declared once and enforced.

The frames go through workshops.commands.command_handle, as the consumer hands them
over; the protocol reference's tables are written from the same declarations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from ideas.models import Idea
from workshops import registry
from workshops.actors import Actor
from workshops.commands import command_handle
from workshops.models import Workshop
from workshops.protocol_doc import apps_declaring, blocks_in, doc_written

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
COMMANDS = sorted(registry.COMMANDS)


def _refusal(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    _, reply = command_handle(actor=actor, frame={"request_id": "r", **frame})
    return reply


def test_every_command_declares_its_fields() -> None:
    for name, command in registry.COMMANDS.items():
        assert issubclass(command.fields, registry.Fields), name
        assert command.who and command.answer, f"{name} needs its who and answer for the doc"


@pytest.mark.parametrize("name", COMMANDS)
def test_an_unknown_field_is_refused_before_anything_happens(
    name: str, facilitator_actor: Actor, workshop: Workshop
) -> None:
    revision = Workshop.objects.get(pk=workshop.pk).revision

    reply = _refusal(facilitator_actor, {"type": name, "surely_not_a_field": 1})

    assert (reply["type"], reply["code"], reply["request_id"]) == ("error", "invalid", "r")
    assert "surely_not_a_field" in reply["message"]
    assert Workshop.objects.get(pk=workshop.pk).revision == revision
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("name", "field"),
    [
        (name, field.name)
        for name in COMMANDS
        for field in mi.type_info(registry.COMMANDS[name].fields).fields  # type: ignore[union-attr]
    ],
)
def test_a_wrong_typed_field_is_refused_and_named(
    name: str, field: str, facilitator_actor: Actor
) -> None:
    reply = _refusal(facilitator_actor, {"type": name, field: {"not": "this"}})

    assert (reply["type"], reply["code"]) == ("error", "invalid")
    assert f"“{field}”" in reply["message"]


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"type": "vote.set", "target_type": "idea", "target_id": 1, "dots": "3"}, "dots"),
        ({"type": "vote.set", "target_type": "idea", "target_id": True, "dots": 1}, "target_id"),
        ({"type": "vote.set", "target_type": "idea", "target_id": 1.0, "dots": 1}, "target_id"),
        ({"type": "vote.rank", "target_type": "idea", "order": [1, "2"]}, "order[1]"),
        ({"type": "idea.post", "client_key": "k" * 10, "text": None}, "text"),
        ({"type": "grouping.allow", "allowed": "true"}, "allowed"),
        ({"type": "idea.post", "text": "Parks"}, "client_key"),
    ],
)
def test_numbers_and_truths_are_never_guessed_from_other_types(
    frame: dict[str, Any], field: str, citizen: Actor
) -> None:
    reply = _refusal(citizen, frame)

    assert (reply["type"], reply["code"]) == ("error", "invalid")
    assert f"“{field}”" in reply["message"]


def test_optional_fields_may_be_left_out(facilitator_actor: Actor) -> None:
    _, reply = command_handle(actor=facilitator_actor, frame={"type": "timer.set"})

    assert reply["type"] == "ack"
    assert reply["data"]["workshop"]["ends_at"] is None


def test_every_event_declares_its_data() -> None:
    for name, event in registry.EVENTS.items():
        assert issubclass(event.data, registry.Data), name
        assert msgspec.inspect.type_info(event.data).fields, name  # type: ignore[union-attr]


def test_an_event_of_another_shape_is_never_published(workshop: Workshop) -> None:
    from workshops.events import publish
    from workshops.serializers import workshop_as_dict

    participant = {"id": 1, "display_name": "Ada"}
    with pytest.raises(ValueError, match="participant_count"):
        publish(
            workshop, "participant.joined", {"participant": participant, "participant_count": "1"}
        )
    with pytest.raises(ValueError, match="extra"):
        publish(workshop, "workshop.updated", {"workshop": workshop_as_dict(workshop), "extra": 1})
    # The shapes inside an event are declared too: no field missing, none added.
    with pytest.raises(ValueError, match="display_name"):
        publish(workshop, "participant.renamed", {"participant": {"id": 1}})
    with pytest.raises(ValueError, match="email"):
        publish(workshop, "participant.renamed", {"participant": {**participant, "email": "x"}})


def test_every_shape_is_what_its_serialiser_builds(workshop: Workshop) -> None:
    from ideas.events import Cluster as ClusterShape
    from ideas.events import Idea as IdeaShape
    from ideas.models import Cluster
    from ideas.serializers import cluster_as_dict, idea_as_dict
    from tests.factories import IdeaFactory, ParticipantFactory
    from workshops.events import ParticipantShape, WorkshopShape
    from workshops.serializers import participant_as_dict, workshop_as_dict

    author = ParticipantFactory(workshop=workshop)
    cluster = Cluster.objects.create(workshop=workshop, name="Evenings")
    kept = IdeaFactory(author=author, cluster=cluster)
    duplicate = IdeaFactory(author=author, status=Idea.Status.MERGED, merged_into=kept)
    kept.tags.add("late")
    for data, shape in [
        (workshop_as_dict(workshop), WorkshopShape),
        (participant_as_dict(author), ParticipantShape),
        (idea_as_dict(Idea.objects.get(pk=kept.pk)), IdeaShape),
        (idea_as_dict(duplicate), IdeaShape),
        (cluster_as_dict(cluster), ClusterShape),
    ]:
        msgspec.convert(data, shape)


@pytest.mark.parametrize("role", ["facilitator", "citizen", "observer"])
def test_the_rooms_own_part_of_the_snapshot_is_its_declared_shape(
    workshop: Workshop, role: str
) -> None:
    from tests.factories import actor_for
    from workshops.events import SnapshotShape
    from workshops.selectors import room_snapshot

    actor = actor_for(role, workshop)
    snapshot = room_snapshot(actor=actor)
    apps_parts = {key for part in registry.SNAPSHOT_PARTS for key in part(actor=actor)}
    own = {key: value for key, value in snapshot.items() if key not in apps_parts}
    you = msgspec.convert(own, SnapshotShape).you
    assert (you.role, you.participant_id is None) == (role, role != "citizen")


def test_the_protocol_reference_is_written_from_the_declarations() -> None:
    text = DOC.read_text()

    assert doc_written(text) == text, "run: python manage.py protocol_doc --write"


def test_every_app_that_declares_messages_has_its_tables_in_the_reference() -> None:
    assert blocks_in(DOC.read_text()) == apps_declaring()
