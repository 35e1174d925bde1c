"""The room hears of a change once, after it is committed, in the declared shape."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from ideas.models import Idea
from ideas.serializers import idea_as_dict
from ideas.services import idea_edit, idea_post, idea_withdraw
from tests.factories import HOSTILE_HTML, actor_for
from workshops import registry
from workshops.actors import Actor, actor_refresh
from workshops.errors import ActionRefused
from workshops.events import event_fields, publish
from workshops.models import Participant, Workshop
from workshops.phases import Phase
from workshops.selectors import room_snapshot
from workshops.serializers import participant_as_dict, workshop_as_dict
from workshops.services import (
    participant_join,
    participant_rename,
    workshop_change_phase,
    workshop_set_timer,
    workshop_update,
)

pytestmark = pytest.mark.django_db


class RecordingLayer:
    """A channel layer that keeps what it is asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))

    def events(self) -> list[dict[str, Any]]:
        # A room.close frame (disconnect_participant) is not an event.
        return [message["event"] for _group, message in self.sent if "event" in message]


class BrokenLayer:
    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        raise ConnectionError("the bus is down")


@pytest.fixture
def room_bus(monkeypatch: pytest.MonkeyPatch) -> RecordingLayer:
    layer = RecordingLayer()
    monkeypatch.setattr("workshops.events.get_channel_layer", lambda: layer)
    return layer


@pytest.fixture(autouse=True)
def tally_windows_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vote's room tally waits for a timer thread; here nothing runs behind a test's back."""
    from django.core.cache import cache

    monkeypatch.setattr("voting.tally.schedule", lambda *args: None)
    cache.clear()


def test_a_posted_idea_is_announced_once_after_commit(
    citizen: Actor, room_bus: RecordingLayer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea, _ = idea_post(actor=citizen, text=f"Free wifi {HOSTILE_HTML}", client_key="key-00001")
        assert room_bus.sent == [], "announced before the write committed"

    assert len(room_bus.sent) == 1
    group, message = room_bus.sent[0]
    assert group == f"workshop.{citizen.workshop.pk}"
    assert message["type"] == "room.event"
    assert message["audience"] == "everyone"
    event = message["event"]
    assert event["type"] == "idea.posted"
    assert set(event["data"]) == event_fields("idea.posted")
    # The same shape as the snapshot and the HTTP answer, with the cleaned text.
    assert event["data"]["idea"] == idea_as_dict(Idea.objects.get(pk=idea.pk))
    assert "<script" not in event["data"]["idea"]["text"]


def test_a_resend_announces_nothing_new(
    citizen: Actor, room_bus: RecordingLayer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea_post(actor=citizen, text="Free wifi", client_key="key-00001")
    with django_capture_on_commit_callbacks(execute=True):
        _, created = idea_post(actor=citizen, text="Free wifi", client_key="key-00001")

    assert created is False
    assert [event["type"] for event in room_bus.events()] == ["idea.posted"]


@pytest.mark.parametrize(
    ("role", "phase", "text"),
    [
        ("citizen", Phase.LOBBY, "Too early"),
        ("citizen", Phase.IDEATE, "   "),
        ("observer", Phase.IDEATE, "Observers only watch"),
        ("facilitator", Phase.IDEATE, "Facilitators do not post"),
    ],
    ids=["wrong-phase", "invalid", "observer", "facilitator"],
)
def test_a_refused_post_announces_nothing(
    workshop: Workshop,
    room_bus: RecordingLayer,
    django_capture_on_commit_callbacks: Any,
    role: str,
    phase: Phase,
    text: str,
) -> None:
    actor = actor_for(role, workshop, phase)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ActionRefused),
    ):
        idea_post(actor=actor, text=text, client_key="key-00001")

    assert callbacks == []
    assert room_bus.sent == []
    assert not Idea.objects.exists()


def test_a_refused_phase_change_announces_nothing(
    citizen: Actor, room_bus: RecordingLayer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionRefused):
        workshop_change_phase(actor=citizen, phase=Phase.CLOSED)

    assert room_bus.sent == []


def test_a_rolled_back_write_announces_nothing(
    citizen: Actor, room_bus: RecordingLayer, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        idea_post(actor=citizen, text="Free wifi", client_key="key-00001")
        participant_rename(actor=citizen, display_name="Quiet Owl")
        raise RuntimeError("something later in the same request failed")

    assert callbacks == []
    assert room_bus.sent == []
    assert not Idea.objects.exists()
    assert Participant.objects.get(pk=citizen.participant.pk).display_name != "Quiet Owl"


def test_a_broken_bus_does_not_lose_the_idea(
    citizen: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("workshops.events.get_channel_layer", BrokenLayer)

    with django_capture_on_commit_callbacks(execute=True):
        idea, created = idea_post(actor=citizen, text="Free wifi", client_key="key-00001")

    assert created is True
    assert Idea.objects.get(pk=idea.pk).text == "Free wifi"


def test_an_event_of_an_undeclared_shape_is_refused(workshop: Workshop) -> None:
    with pytest.raises(ValueError, match=r"idea\.posted"):
        publish(workshop, "idea.posted", {"idea": {}, "author_key": "secret"})


def _post(actors: dict[str, Actor]) -> Any:
    return idea_post(actor=actors["citizen"], text="Free wifi", client_key="key-00001")


def _edit(actors: dict[str, Actor]) -> Any:
    idea = actors["idea"]
    return idea_edit(actor=actors["citizen"], idea_id=idea.pk, text="Fast wifi")


def _withdraw(actors: dict[str, Actor]) -> Any:
    return idea_withdraw(actor=actors["citizen"], idea_id=actors["idea"].pk)


def _voting(actor: Actor) -> Actor:
    """The same person once the room has moved on to voting."""
    Workshop.objects.filter(pk=actor.workshop.pk).update(phase=Phase.VOTE)
    return actor_refresh(actor)


def _vote(actors: dict[str, Any]) -> Any:
    from voting.services import vote_set

    idea = actors["idea"]
    return vote_set(actor=_voting(actors["citizen"]), target_type="idea", target_id=idea.pk, dots=1)


def _voters_counted(actors: dict[str, Any]) -> Any:
    """A first dot, stored without its own events, then the room is told who has voted."""
    from voting.models import Vote
    from voting.selectors import ballot_of
    from voting.tally import voters_publish

    workshop = actors["facilitator"].workshop
    ballot = ballot_of(workshop=workshop)
    ballot.save()
    idea = actors["idea"]
    Vote.objects.create(ballot=ballot, participant=idea.author, idea=idea, weight=1)
    return voters_publish(workshop, ballot=ballot, as_of=1)


def _configure_voting(actors: dict[str, Any]) -> Any:
    from voting.services import ballot_configure

    return ballot_configure(
        actor=actors["facilitator"],
        method="approval",
        target="idea",
        dots_per_participant=5,
        max_dots_per_item=3,
        rank_count=3,
        show_live=False,
    )


def _reveal_tallies(actors: dict[str, Any]) -> Any:
    from voting.services import tallies_reveal

    return tallies_reveal(actor=_voting(actors["facilitator"]))


def _tally(actors: dict[str, Any]) -> Any:
    from voting.tally import tally_publish

    return tally_publish(actors["facilitator"].workshop.pk)


def _board(actors: dict[str, Any]) -> dict[str, Any]:
    """A cluster, a second idea and a pending suggestion, made directly (no events)."""
    from ideas.models import Cluster, ClusterSuggestion

    workshop = actors["facilitator"].workshop
    second = Idea.objects.create(
        workshop=workshop, author=actors["idea"].author, text="Faster wifi", client_key="key-9"
    )
    cluster = Cluster.objects.create(workshop=workshop, name="Wifi")
    suggestion = ClusterSuggestion.objects.create(workshop=workshop, name="Wifi, faster")
    suggestion.ideas.set([actors["idea"], second])
    return {"cluster": cluster, "second": second, "suggestion": suggestion}


def _grouping_scenario(service: str, **arguments: str) -> Callable[[dict[str, Any]], Any]:
    """Call ideas.grouping.<service> as the facilitator; `arguments` name things on the board."""

    def scenario(actors: dict[str, Any]) -> Any:
        from ideas import grouping

        things = {**actors, **_board(actors)}
        values = {key: _pick(things, path) for key, path in arguments.items()}
        return getattr(grouping, service)(actor=actors["facilitator"], **values)

    return scenario


def _pick(things: dict[str, Any], path: str) -> Any:
    """A value by path: cluster.pk is the board's cluster's pk, =text the text, [x] a list."""
    if path.startswith("="):
        return path[1:]
    if path.startswith("["):
        return [path[1:-1]]
    if path == "True":
        return True
    name, _, attribute = path.partition(".")
    value = things[name]
    return getattr(value, attribute) if attribute else value


def _reorder(actors: dict[str, Any]) -> Any:
    from ideas import grouping
    from ideas.models import Cluster

    workshop = actors["facilitator"].workshop
    first = Cluster.objects.create(workshop=workshop, name="Wifi", position=0)
    second = Cluster.objects.create(workshop=workshop, name="Hours", position=1)
    return grouping.clusters_reorder(actor=actors["facilitator"], cluster_ids=[second.pk, first.pk])


def _moderation(service: str, **arguments: Any) -> Callable[[dict[str, Any]], Any]:
    """Call moderation.services.<service>; `arguments` are callables of the actors."""

    def scenario(actors: dict[str, Any]) -> Any:
        from moderation import services as moderation_services

        values = {key: make(actors) for key, make in arguments.items()}
        return getattr(moderation_services, service)(**values)

    return scenario


def _held_post(actors: dict[str, Any]) -> Any:
    from moderation.models import ModerationSettings

    ModerationSettings.objects.create(
        workshop=actors["citizen"].workshop, mode=ModerationSettings.Mode.PRE
    )
    return idea_post(actor=actors["citizen"], text="Free wifi", client_key="key-held-1")


def _proposing(actors: dict[str, Any]) -> dict[str, Any]:
    """The room in the value-propositions phase, with one proposition made directly (no events)."""
    from ideas.models import Cluster
    from summaries.models import PropositionField, PropositionSettings, ValueProposition

    workshop = actors["facilitator"].workshop
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.PROPOSE)
    PropositionSettings.objects.create(workshop=workshop, participants_may_suggest=True)
    cluster = Cluster.objects.create(workshop=workshop, name="Wifi")
    proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster, position=1)
    for name in PropositionField.Name.values:
        PropositionField.objects.create(proposition=proposition, name=name)
    return {
        "facilitator": actor_refresh(actors["facilitator"]),
        "citizen": actor_refresh(actors["citizen"]),
        "proposition": proposition,
        "other": Cluster.objects.create(workshop=workshop, name="Hours"),
    }


def _proposition_scenario(service: str, **arguments: Any) -> Callable[[dict[str, Any]], Any]:
    """Call summaries.services.<service>; "@name" arguments name things made by _proposing."""

    def scenario(actors: dict[str, Any]) -> Any:
        from summaries import services as summary_services

        things = _proposing(actors)
        values = {
            key: things[value[1:]].pk if isinstance(value, str) and value.startswith("@") else value
            for key, value in arguments.items()
        }
        who = things["citizen"] if service == "proposition_suggest" else things["facilitator"]
        return getattr(summary_services, service)(actor=who, **values)

    return scenario


SCENARIOS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "proposition.started": _proposition_scenario(
        "proposition_start", target_type="cluster", target_id="@other"
    ),
    "proposition.edited": _proposition_scenario(
        "proposition_edit", proposition_id="@proposition", field="need", text="Net", revision=0
    ),
    "proposition.removed": _proposition_scenario(
        "proposition_remove", proposition_id="@proposition"
    ),
    "proposition.suggested": _proposition_scenario(
        "proposition_suggest", proposition_id="@proposition", field="need", text="Net"
    ),
    "propositions.permission_changed": _proposition_scenario(
        "propositions_allow_suggestions", allowed=True
    ),
    "idea.held": _held_post,
    "idea.flagged": _moderation(
        "idea_flag",
        actor=lambda a: actor_for("citizen", a["citizen"].workshop),
        idea_id=lambda a: a["idea"].pk,
        reason=lambda a: "spam",
    ),
    "idea.hidden": _moderation(
        "idea_hide", actor=lambda a: a["facilitator"], idea_id=lambda a: a["idea"].pk
    ),
    "idea.deleted": _moderation(
        "idea_delete", actor=lambda a: a["facilitator"], idea_id=lambda a: a["idea"].pk
    ),
    "moderation.settings_changed": _moderation(
        "moderation_configure",
        actor=lambda a: a["facilitator"],
        mode=lambda a: "pre",
        flag_threshold=lambda a: 2,
        word_list=lambda a: "=cmd",
        retention_days=lambda a: 7,
    ),
    "participant.restricted": _moderation(
        "participant_mute",
        actor=lambda a: a["facilitator"],
        participant_id=lambda a: a["citizen"].participant.pk,
    ),
    "participant.erased": _moderation("participant_erase_self", actor=lambda a: a["citizen"]),
    "cluster.created": _grouping_scenario("cluster_create", name="=Opening hours"),
    "cluster.renamed": _grouping_scenario("cluster_rename", cluster_id="cluster.pk", name="=Net"),
    "cluster.tagged": _grouping_scenario("cluster_tag", cluster_id="cluster.pk", tags="[net]"),
    "cluster.deleted": _grouping_scenario("cluster_delete", cluster_id="cluster.pk"),
    "clusters.reordered": lambda a: _reorder(a),
    "idea.moved": _grouping_scenario("idea_move", idea_id="idea.pk", cluster_id="cluster.pk"),
    "idea.merged": _grouping_scenario("idea_merge", idea_id="second.pk", into_id="idea.pk"),
    "idea.tagged": _grouping_scenario("idea_tag", idea_id="idea.pk", tags="[net]"),
    "grouping.permission_changed": _grouping_scenario("grouping_set_permission", allowed="True"),
    "suggestions.proposed": _grouping_scenario("clusters_suggest"),
    "suggestion.resolved": _grouping_scenario("suggestion_reject", suggestion_id="suggestion.pk"),
    "ballot.updated": _vote,
    "voting.configured": _configure_voting,
    "tallies.revealed": _reveal_tallies,
    "votes.tallied": _tally,
    "votes.counted": _voters_counted,
    "idea.posted": _post,
    "idea.edited": _edit,
    "idea.withdrawn": _withdraw,
    "participant.joined": lambda a: participant_join(actor=a["outsider"], display_name="Elk 42"),
    "participant.renamed": lambda a: participant_rename(actor=a["citizen"], display_name="Owl"),
    "phase.changed": lambda a: workshop_change_phase(
        actor=a["facilitator"], phase=Phase.LOBBY, duration_seconds=60
    ),
    "timer.changed": lambda a: workshop_set_timer(actor=a["facilitator"], duration_seconds=60),
    "workshop.updated": lambda a: workshop_update(
        actor=a["facilitator"], title="T", question="Q?", context="", language="da"
    ),
}


@pytest.mark.parametrize("event_type", sorted(registry.EVENTS))
def test_every_write_announces_its_declared_shape(
    event_type: str,
    workshop: Workshop,
    citizen: Actor,
    outsider: Actor,
    facilitator_actor: Actor,
    room_bus: RecordingLayer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-00002")
    actors = {
        "citizen": citizen,
        "outsider": outsider,
        "facilitator": facilitator_actor,
        "idea": idea,
    }

    with django_capture_on_commit_callbacks(execute=True):
        SCENARIOS[event_type](actors)

    [event] = room_bus.events()
    assert event["type"] == event_type
    assert set(event["data"]) == event_fields(event_type)
    stored = Workshop.objects.get(pk=workshop.pk)
    if "workshop" in event["data"]:
        assert event["data"]["workshop"] == workshop_as_dict(stored)
    if "participant_count" in event["data"]:
        assert event["data"]["participant_count"] == stored.participants.count()
        newest = stored.participants.order_by("pk").last()
        assert event["data"]["participant_count_as_of"] == newest.pk  # type: ignore[union-attr]
    if "participant" in event["data"]:
        participant = Participant.objects.get(pk=event["data"]["participant"]["id"])
        assert event["data"]["participant"] == participant_as_dict(participant)
    if "idea" in event["data"]:
        assert event["data"]["idea"] == idea_as_dict(
            Idea.objects.get(pk=event["data"]["idea"]["id"])
        )


def apply_event(snapshot: dict[str, Any], event: dict[str, Any]) -> None:
    """What a screen does with an event, following docs/protocol.md."""
    kind, data = event["type"], event["data"]
    if "workshop" in data:
        snapshot["workshop"] = data["workshop"]
    if kind == "participant.joined" and (
        data["participant_count_as_of"] > snapshot["participant_count_as_of"]
    ):
        snapshot["participant_count"] = data["participant_count"]
        snapshot["participant_count_as_of"] = data["participant_count_as_of"]
    if kind == "participant.renamed":
        participant = data["participant"]
        if snapshot["you"]["participant_id"] == participant["id"]:
            snapshot["you"]["display_name"] = participant["display_name"]
        for idea in snapshot["ideas"]:
            if idea["author_id"] == participant["id"]:
                idea["author_name"] = participant["display_name"]
    if kind.startswith("idea."):
        ideas = {idea["id"]: idea for idea in snapshot["ideas"]}
        known = ideas.get(data["idea"]["id"])
        if known is None or known["revision"] <= data["idea"]["revision"]:
            ideas[data["idea"]["id"]] = data["idea"]
        snapshot["ideas"] = sorted(
            (idea for idea in ideas.values() if idea["status"] == "published"),
            key=lambda idea: idea["id"],
        )


def without_clock(snapshot: dict[str, Any]) -> dict[str, Any]:
    # The version says when the snapshot was read, as the clock does: every event
    # changes it, so a screen holding an old one is sent the whole room on reconnect.
    kept = {key: value for key, value in snapshot.items() if key not in {"server_time", "version"}}
    if "voting" in kept:  # the tallies carry the clock reading that orders them
        kept["voting"] = {k: v for k, v in kept["voting"].items() if k != "tallies_as_of"}
    return kept


def test_a_snapshot_plus_the_events_equals_a_fresh_snapshot(
    workshop: Workshop,
    citizen: Actor,
    second_citizen: Actor,
    facilitator_actor: Actor,
    room_bus: RecordingLayer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    kept, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-00001")
    screen = copy.deepcopy(room_snapshot(actor=citizen))

    with django_capture_on_commit_callbacks(execute=True):
        newcomer = participant_join(actor=actor_for("outsider", workshop), display_name="Elk 42")
        gone, _ = idea_post(actor=second_citizen, text="Longer hours", client_key="key-00002")
        idea_edit(actor=citizen, idea_id=kept.pk, text=f"Fast wifi {HOSTILE_HTML}")
        participant_rename(actor=citizen, display_name="Quiet Owl")
        idea_withdraw(actor=second_citizen, idea_id=gone.pk)
        idea_post(
            actor=actor_for("citizen", workshop, participant=newcomer),
            text="A teen-only corner",
            client_key="key-00003",
        )
        workshop_change_phase(actor=facilitator_actor, phase=Phase.CLOSED)

    for event in room_bus.events():
        apply_event(screen, event)

    fresh = room_snapshot(actor=actor_refresh(citizen))
    assert without_clock(screen) == without_clock(fresh)
    assert [idea["text"] for idea in fresh["ideas"]] == ["Fast wifi alert(1)", "A teen-only corner"]
    assert fresh["you"]["display_name"] == "Quiet Owl"
