"""Moderation as facilitators and participants meet it: holds, flags, hiding, muting, removing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas.models import Idea
from ideas.services import idea_edit, idea_post
from moderation import services
from moderation.models import (
    Flag,
    IdeaOriginal,
    ModerationAction,
    ModerationSettings,
    ParticipantRestriction,
)
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory, actor_for, session_for
from workshops.actors import Actor, actor_refresh, actor_resolve
from workshops.errors import ActionRefused
from workshops.models import Participant, Workshop
from workshops.phases import Phase, Role
from workshops.selectors import room_snapshot
from workshops.services import participant_join

pytestmark = pytest.mark.django_db


class RecordingLayer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [m for _g, m in self.sent if m.get("event", {}).get("type") == event_type]


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> RecordingLayer:
    layer = RecordingLayer()
    monkeypatch.setattr("workshops.events.get_channel_layer", lambda: layer)
    return layer


def configure(workshop: Workshop, **fields: Any) -> ModerationSettings:
    moderation, _ = ModerationSettings.objects.update_or_create(workshop=workshop, defaults=fields)
    return moderation


def wall(actor: Actor) -> list[str]:
    return [idea["text"] for idea in room_snapshot(actor=actor_refresh(actor))["ideas"]]


def queue(actor: Actor) -> list[dict[str, Any]]:
    return room_snapshot(actor=actor_refresh(actor))["moderation"]["queue"]


class TestPreModeration:
    def test_a_held_idea_reaches_facilitators_only(
        self,
        workshop: Workshop,
        citizen: Actor,
        second_citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        configure(workshop, mode=ModerationSettings.Mode.PRE)

        with django_capture_on_commit_callbacks(execute=True):
            idea, created = idea_post(actor=citizen, text="Free wifi", client_key="key-pre-1")

        assert created and idea.status == Idea.Status.HELD
        assert bus.of_type("idea.posted") == []
        [held] = bus.of_type("idea.held")
        assert held["audience"] == "facilitators"
        assert held["event"]["data"]["review"]["text"] == "Free wifi"
        assert held["event"]["data"]["review"]["hold_reason"] == "pre_moderation"
        # Fresh screens agree: the citizens' wall is empty, the facilitator's queue is not.
        assert wall(second_citizen) == []
        assert "moderation" in room_snapshot(actor=second_citizen)
        assert "queue" not in room_snapshot(actor=second_citizen)["moderation"]
        assert [item["text"] for item in queue(facilitator_actor)] == ["Free wifi"]

    def test_approval_puts_it_on_everyones_wall(
        self,
        workshop: Workshop,
        citizen: Actor,
        second_citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        configure(workshop, mode=ModerationSettings.Mode.PRE)
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-pre-1")

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_approve(actor=facilitator_actor, idea_id=idea.pk, reason="Fine")

        [posted] = bus.of_type("idea.posted")
        assert posted["audience"] == "everyone"
        assert posted["event"]["data"]["idea"]["text"] == "Free wifi"
        assert wall(second_citizen) == ["Free wifi"]
        assert queue(facilitator_actor) == []
        entry = ModerationAction.objects.get(kind=ModerationAction.Kind.APPROVE)
        assert (entry.facilitator, entry.idea_number, entry.reason) == (
            workshop.owner,
            idea.pk,
            "Fine",
        )

    def test_post_moderation_publishes_at_once(
        self,
        citizen: Actor,
        second_citizen: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-post-1")

        assert idea.status == Idea.Status.PUBLISHED
        assert len(bus.of_type("idea.posted")) == 1
        assert wall(second_citizen) == ["Free wifi"]


class TestWordList:
    def test_the_shipped_list_holds_a_matching_idea(
        self, citizen: Actor, facilitator_actor: Actor, second_citizen: Actor
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="This SHITTY bus", client_key="key-word-1")

        assert idea.status == Idea.Status.HELD
        assert wall(second_citizen) == []
        [item] = queue(facilitator_actor)
        assert (item["hold_reason"], item["matched_words"]) == ("word_list", ["shit*"])

    @pytest.mark.parametrize(
        ("language", "text"),
        [("da", "Sikke en kælling"), ("sv", "Vilken fitta"), ("en", "Fuck the bus")],
    )
    def test_each_language_ships_a_list(
        self, workshop: Workshop, citizen: Actor, language: str, text: str
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(language=language)

        idea, _ = idea_post(actor=actor_refresh(citizen), text=text, client_key="key-word-2")

        assert idea.status == Idea.Status.HELD

    def test_an_edit_into_a_listed_word_leaves_the_wall_for_review(
        self,
        citizen: Actor,
        second_citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="A nice bus", client_key="key-word-6")

        with django_capture_on_commit_callbacks(execute=True):
            idea_edit(actor=citizen, idea_id=idea.pk, text="A shitty bus")

        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.HELD
        assert wall(second_citizen) == []
        assert bus.of_type("idea.edited") == []
        [held] = bus.of_type("idea.held")
        assert held["event"]["data"]["review"] is None
        assert held["event"]["data"]["idea"]["text"] == ""
        assert [item["text"] for item in queue(facilitator_actor)] == ["A shitty bus"]

    def test_words_only_match_whole_words(self, citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="A bus to Scunthorpe", client_key="key-word-3")

        assert idea.status == Idea.Status.PUBLISHED

    def test_the_facilitator_edits_the_list(
        self, workshop: Workshop, citizen: Actor, facilitator_actor: Actor
    ) -> None:
        services.moderation_configure(
            actor=facilitator_actor,
            mode="post",
            flag_threshold=3,
            word_list=f"parking\n{HOSTILE_HTML}\n  \nparking",
            retention_days=30,
        )

        stored = ModerationSettings.objects.get(workshop=workshop)
        # Markup is cleaned away and repeats dropped, as for anything typed.
        assert stored.word_list == "parking\nalert(1)"
        held, _ = idea_post(actor=citizen, text="More Parking please", client_key="key-word-4")
        shipped, _ = idea_post(actor=citizen, text="shit happens", client_key="key-word-5")
        assert held.status == Idea.Status.HELD
        assert shipped.status == Idea.Status.PUBLISHED  # the edited list replaced the default


class TestFlags:
    def _flaggers(self, workshop: Workshop, count: int) -> list[Actor]:
        return [actor_for("citizen", workshop) for _ in range(count)]

    def test_enough_flags_hold_the_idea(
        self,
        workshop: Workshop,
        citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        configure(workshop, flag_threshold=2)
        idea, _ = idea_post(actor=citizen, text="Buy my car", client_key="key-flag-1")
        first, second = self._flaggers(workshop, 2)

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_flag(actor=first, idea_id=idea.pk, reason="spam")
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED
        [flagged] = bus.of_type("idea.flagged")
        assert flagged["audience"] == "facilitators"

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_flag(actor=second, idea_id=idea.pk, reason="spam")

        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.HELD
        [held] = bus.of_type("idea.held")
        # The room sees it leave the wall without its words; facilitators see why.
        assert held["audience"] == "everyone"
        assert held["event"]["data"]["review"] is None
        assert held["event"]["data"]["idea"]["text"] == ""
        review = held["facilitator_event"]["data"]["review"]
        assert (review["text"], review["flag_count"], review["flag_reasons"]) == (
            "Buy my car",
            2,
            {"spam": 2},
        )
        assert wall(citizen) == []

    def test_a_participant_flags_an_idea_once(self, workshop: Workshop, citizen: Actor) -> None:
        configure(workshop, flag_threshold=2)
        idea, _ = idea_post(actor=citizen, text="Buy my car", client_key="key-flag-2")
        [flagger] = self._flaggers(workshop, 1)

        services.idea_flag(actor=flagger, idea_id=idea.pk, reason="spam")
        services.idea_flag(actor=flagger, idea_id=idea.pk, reason="offensive")

        assert Flag.objects.filter(idea=idea).count() == 1
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED

    @pytest.mark.parametrize("reason", ["", "rude", None, 3, ["spam"]])
    def test_a_flag_needs_a_known_reason(
        self, workshop: Workshop, citizen: Actor, reason: Any
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Buy my car", client_key="key-flag-3")
        [flagger] = self._flaggers(workshop, 1)

        with pytest.raises(ActionRefused) as refused:
            services.idea_flag(actor=flagger, idea_id=idea.pk, reason=reason)

        assert refused.value.code == "invalid"
        assert not Flag.objects.exists()

    def test_nobody_flags_a_held_idea_they_cannot_see(
        self, workshop: Workshop, citizen: Actor
    ) -> None:
        configure(workshop, mode=ModerationSettings.Mode.PRE)
        idea, _ = idea_post(actor=citizen, text="Buy my car", client_key="key-flag-4")
        [flagger] = self._flaggers(workshop, 1)

        with pytest.raises(ActionRefused) as refused:
            services.idea_flag(actor=flagger, idea_id=idea.pk, reason="spam")

        assert refused.value.code == "not_found"

    def test_an_approved_idea_starts_counting_again(
        self, workshop: Workshop, citizen: Actor, facilitator_actor: Actor
    ) -> None:
        configure(workshop, flag_threshold=1)
        idea, _ = idea_post(actor=citizen, text="Buy my car", client_key="key-flag-5")
        first, second = self._flaggers(workshop, 2)
        services.idea_flag(actor=first, idea_id=idea.pk, reason="spam")
        services.idea_approve(actor=facilitator_actor, idea_id=idea.pk)

        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED
        services.idea_flag(actor=second, idea_id=idea.pk, reason="spam")
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.HELD


class TestFacilitatorOnIdeas:
    def test_hide_and_restore(
        self,
        citizen: Actor,
        second_citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-hide-1")

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_hide(actor=facilitator_actor, idea_id=idea.pk, reason="Off topic")
        assert wall(second_citizen) == []
        [hidden] = bus.of_type("idea.hidden")
        assert hidden["event"]["data"] == {"idea": hidden["event"]["data"]["idea"], "review": None}
        assert hidden["facilitator_event"]["data"]["review"]["text"] == "Free wifi"
        assert [item["status"] for item in queue(facilitator_actor)] == ["hidden"]

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_restore(actor=facilitator_actor, idea_id=idea.pk)
        assert wall(second_citizen) == ["Free wifi"]
        assert [e.kind for e in ModerationAction.objects.all()] == ["hide", "restore"]

    def test_an_edit_keeps_the_authors_words(
        self, citizen: Actor, second_citizen: Actor, facilitator_actor: Actor
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Call Jens on 12345678", client_key="key-ed-1")

        services.idea_moderate_text(
            actor=facilitator_actor, idea_id=idea.pk, text="Call Jens", reason="Phone number"
        )
        services.idea_moderate_text(actor=facilitator_actor, idea_id=idea.pk, text="Call him")

        assert wall(second_citizen) == ["Call him"]
        assert IdeaOriginal.objects.get(idea=idea).text == "Call Jens on 12345678"
        assert room_snapshot(actor=second_citizen)["ideas"][0]["edited"] is True
        edits = ModerationAction.objects.filter(kind=ModerationAction.Kind.EDIT)
        assert [e.reason for e in edits] == ["Phone number", ""]

    def test_delete_removes_the_words_but_not_the_record(
        self,
        citizen: Actor,
        second_citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Jens lives at Vej 1", client_key="key-del-1")

        with django_capture_on_commit_callbacks(execute=True):
            services.idea_delete(actor=facilitator_actor, idea_id=idea.pk, reason="Address")

        assert not Idea.objects.filter(pk=idea.pk).exists()
        assert bus.of_type("idea.deleted")[0]["event"]["data"] == {"idea_id": idea.pk}
        entry = ModerationAction.objects.get(kind=ModerationAction.Kind.DELETE)
        assert entry.idea_number == idea.pk
        assert "Vej 1" not in str(entry.detail) + entry.reason

    @pytest.mark.parametrize("idea_id", [None, "1", True, 10**12, -1])
    def test_a_bad_idea_id_changes_nothing(
        self, citizen: Actor, facilitator_actor: Actor, idea_id: Any
    ) -> None:
        idea_post(actor=citizen, text="Free wifi", client_key="key-bad-1")

        with pytest.raises(ActionRefused) as refused:
            services.idea_hide(actor=facilitator_actor, idea_id=idea_id)

        assert refused.value.code in {"invalid", "not_found"}
        assert Idea.objects.get().status == Idea.Status.PUBLISHED
        assert not ModerationAction.objects.exists()

    def test_another_workshops_idea_is_not_found(self, facilitator_actor: Actor) -> None:
        elsewhere = IdeaFactory()

        with pytest.raises(ActionRefused) as refused:
            services.idea_hide(actor=facilitator_actor, idea_id=elsewhere.pk)

        assert refused.value.code == "not_found"
        assert Idea.objects.get(pk=elsewhere.pk).status == Idea.Status.PUBLISHED

    def test_an_overlong_reason_is_refused(self, citizen: Actor, facilitator_actor: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-bad-2")

        with pytest.raises(ActionRefused):
            services.idea_hide(actor=facilitator_actor, idea_id=idea.pk, reason="x" * 501)

        assert Idea.objects.get().status == Idea.Status.PUBLISHED


class TestParticipants:
    def test_a_muted_participant_follows_but_cannot_write(
        self,
        workshop: Workshop,
        citizen: Actor,
        facilitator_actor: Actor,
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-mute-1")

        services.participant_mute(
            actor=facilitator_actor, participant_id=citizen.participant.pk, reason="Shouting"
        )
        muted = actor_refresh(citizen)

        assert muted.role is Role.CITIZEN
        assert wall(muted) == ["Free wifi"]
        for attempt in (
            lambda: idea_post(actor=muted, text="More", client_key="key-mute-2"),
            lambda: idea_edit(actor=muted, idea_id=idea.pk, text="Less"),
        ):
            with pytest.raises(ActionRefused) as refused:
                attempt()
            assert refused.value.code == "forbidden"
            assert "muted" in refused.value.message
        assert Idea.objects.get().text == "Free wifi"

        services.participant_unmute(actor=facilitator_actor, participant_id=citizen.participant.pk)
        idea_post(actor=actor_refresh(citizen), text="More", client_key="key-mute-3")
        assert Idea.objects.count() == 2

    def test_a_removed_participant_has_no_access_even_from_the_same_phone(
        self,
        workshop: Workshop,
        citizen: Actor,
        facilitator_actor: Actor,
        bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        participant = citizen.participant
        idea_post(actor=citizen, text="Free wifi", client_key="key-rm-1")

        with django_capture_on_commit_callbacks(execute=True):
            services.participant_remove(
                actor=facilitator_actor, participant_id=participant.pk, reason="Threats"
            )

        # Their open sockets are told and closed.
        closes = [(g, m["code"]) for g, m in bus.sent if m["type"] == "room.close"]
        assert closes == [(f"participant.{participant.pk}", "removed")]
        # The same session (a phone reconnecting) resolves to nobody, and cannot rejoin.
        again = actor_resolve(
            workshop=workshop, user=AnonymousUser(), session=session_for(participant=participant)
        )
        assert again.role is Role.OUTSIDER
        assert actor_refresh(citizen).role is Role.OUTSIDER
        with pytest.raises(ActionRefused) as refused:
            participant_join(actor=again, display_name="Back again")
        assert refused.value.code == "forbidden"
        with pytest.raises(ActionRefused):
            idea_post(actor=actor_refresh(citizen), text="Sneaky", client_key="key-rm-2")
        assert Participant.objects.filter(workshop=workshop).count() == 1
        # What they said stays.
        assert Idea.objects.get().text == "Free wifi"

    def test_a_participant_of_another_workshop_is_not_found(self, facilitator_actor: Actor) -> None:
        elsewhere = ParticipantFactory()

        with pytest.raises(ActionRefused) as refused:
            services.participant_remove(actor=facilitator_actor, participant_id=elsewhere.pk)

        assert refused.value.code == "not_found"
        assert not ParticipantRestriction.objects.exists()


class TestSettings:
    @pytest.mark.parametrize(
        "fields",
        [
            {"mode": "strict"},
            {"flag_threshold": 0},
            {"flag_threshold": "many"},
            {"flag_threshold": True},
            {"retention_days": 0},
            {"retention_days": 99999},
            {"word_list": ["a"]},
            {"word_list": "x" * 61},
            {"word_list": "\n".join(f"word{n}" for n in range(1000))},
        ],
        ids=str,
    )
    def test_bad_settings_change_nothing(
        self, workshop: Workshop, facilitator_actor: Actor, fields: dict[str, Any]
    ) -> None:
        values = {"mode": "pre", "flag_threshold": 3, "word_list": "", "retention_days": 30}

        with pytest.raises(ActionRefused) as refused:
            services.moderation_configure(actor=facilitator_actor, **{**values, **fields})

        assert refused.value.code == "invalid"
        assert not ModerationSettings.objects.exists()
        assert not ModerationAction.objects.exists()

    def test_citizens_cannot_change_them(self, citizen: Actor) -> None:
        with pytest.raises(ActionRefused) as refused:
            services.moderation_configure(
                actor=citizen, mode="pre", flag_threshold=3, word_list="", retention_days=30
            )

        assert refused.value.code == "forbidden"
        assert not ModerationSettings.objects.exists()


def test_every_phase_keeps_moderation_open(workshop: Workshop, citizen: Actor) -> None:
    idea, _ = idea_post(actor=citizen, text="Free wifi", client_key="key-phase-1")
    facilitator = actor_for("facilitator", workshop, Phase.CLOSED)

    services.idea_hide(actor=facilitator, idea_id=idea.pk)

    assert Idea.objects.get().status == Idea.Status.HIDDEN
