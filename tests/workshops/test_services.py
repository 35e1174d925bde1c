"""Running the room through the services: phases, timers, joining, names, invitations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from tests.factories import (
    HOSTILE_FORMULA,
    HOSTILE_HTML,
    InvitationFactory,
    UserFactory,
    actor_for,
    session_for,
)
from workshops.actors import Actor, actor_refresh, actor_resolve
from workshops.errors import ActionRefused
from workshops.models import Participant, Workshop
from workshops.phases import Phase, Role
from workshops.services import (
    MAX_TIMER_SECONDS,
    facilitator_invite,
    invitation_accept,
    participant_join,
    participant_rename,
    workshop_change_phase,
    workshop_create,
    workshop_set_timer,
    workshop_update,
)

pytestmark = pytest.mark.django_db

INVALID_TIMERS = [0, -60, MAX_TIMER_SECONDS + 1, True, False, "300", 1.5]
INVALID_TIMER_IDS = ["zero", "negative", "over-8h", "true", "false", "str", "float"]


def fresh(workshop: Workshop) -> Workshop:
    return Workshop.objects.get(pk=workshop.pk)


def assert_about(moment: Any, expected: Any) -> None:
    assert moment is not None
    assert abs(moment - expected) < timedelta(seconds=5)


class TestPhaseChange:
    def test_a_timer_counts_down_from_now(self, workshop: Workshop) -> None:
        actor = actor_for("facilitator", workshop, Phase.LOBBY)

        workshop_change_phase(actor=actor, phase=Phase.IDEATE, duration_seconds=300)

        stored = fresh(workshop)
        assert stored.phase == Phase.IDEATE
        assert_about(stored.phase_ends_at, timezone.now() + timedelta(seconds=300))
        assert stored.revision == workshop.revision + 1

    def test_without_a_timer_the_phase_has_no_end(self, workshop: Workshop) -> None:
        actor = actor_for("facilitator", workshop, Phase.LOBBY)
        workshop_set_timer(actor=actor, duration_seconds=600)

        workshop_change_phase(actor=actor_refresh(actor), phase=Phase.IDEATE)

        assert fresh(workshop).phase_ends_at is None

    def test_closing_clears_the_timer_even_when_one_is_given(
        self, facilitator_actor: Actor
    ) -> None:
        workshop_set_timer(actor=facilitator_actor, duration_seconds=600)

        workshop_change_phase(
            actor=actor_refresh(facilitator_actor), phase=Phase.CLOSED, duration_seconds=300
        )

        stored = fresh(facilitator_actor.workshop)
        assert stored.phase == Phase.CLOSED
        assert stored.phase_ends_at is None

    @pytest.mark.parametrize("phase", ["party", ""])
    def test_a_phase_that_is_not_built_yet_is_refused(
        self, facilitator_actor: Actor, phase: str
    ) -> None:
        with pytest.raises(ActionRefused) as refused:
            workshop_change_phase(actor=facilitator_actor, phase=phase)

        assert refused.value.code == "invalid"
        assert fresh(facilitator_actor.workshop).phase == Phase.IDEATE

    @pytest.mark.parametrize("duration", INVALID_TIMERS, ids=INVALID_TIMER_IDS)
    def test_an_invalid_timer_is_refused_and_the_phase_stays(
        self, workshop: Workshop, duration: Any
    ) -> None:
        actor = actor_for("facilitator", workshop, Phase.LOBBY)

        with pytest.raises(ActionRefused) as refused:
            workshop_change_phase(actor=actor, phase=Phase.IDEATE, duration_seconds=duration)

        assert refused.value.code == "invalid"
        stored = fresh(workshop)
        assert (stored.phase, stored.phase_ends_at) == (Phase.LOBBY, None)

    def test_a_co_facilitator_may_move_the_room(
        self, workshop: Workshop, co_facilitator: AbstractBaseUser
    ) -> None:
        actor = actor_for("facilitator", workshop, user=co_facilitator)

        workshop_change_phase(actor=actor, phase=Phase.CLOSED)

        assert fresh(workshop).phase == Phase.CLOSED


class TestTimer:
    def test_a_timer_runs_up_to_eight_hours(self, facilitator_actor: Actor) -> None:
        workshop_set_timer(actor=facilitator_actor, duration_seconds=MAX_TIMER_SECONDS)

        assert_about(
            fresh(facilitator_actor.workshop).phase_ends_at,
            timezone.now() + timedelta(hours=8),
        )

    def test_none_clears_the_timer(self, facilitator_actor: Actor) -> None:
        workshop_set_timer(actor=facilitator_actor, duration_seconds=60)

        workshop_set_timer(actor=actor_refresh(facilitator_actor), duration_seconds=None)

        assert fresh(facilitator_actor.workshop).phase_ends_at is None

    @pytest.mark.parametrize("duration", INVALID_TIMERS, ids=INVALID_TIMER_IDS)
    def test_an_invalid_timer_is_refused(self, facilitator_actor: Actor, duration: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            workshop_set_timer(actor=facilitator_actor, duration_seconds=duration)

        assert refused.value.code == "invalid"
        assert fresh(facilitator_actor.workshop).phase_ends_at is None


class TestJoin:
    @pytest.mark.parametrize("name", ["", "   ", "<b></b>"])
    def test_a_citizen_without_a_name_gets_a_friendly_one(self, outsider: Actor, name: str) -> None:
        participant = participant_join(actor=outsider, display_name=name)

        stored = Participant.objects.get(pk=participant.pk)
        # "Curious Otter 42": an adjective, an animal and a number.
        assert re.fullmatch(r"\w+ \w+ \d{2}", stored.display_name), stored.display_name

    def test_the_chosen_name_is_cleaned(self, outsider: Actor) -> None:
        participant = participant_join(actor=outsider, display_name=f"Ann {HOSTILE_HTML}")

        assert Participant.objects.get(pk=participant.pk).display_name == "Ann alert(1)"

    @pytest.mark.parametrize("name", ["n" * 41, 42, None, ["Ann"]])
    def test_a_bad_name_is_refused(self, outsider: Actor, name: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            participant_join(actor=outsider, display_name=name)

        assert refused.value.code == "invalid"
        assert not Participant.objects.filter(workshop=outsider.workshop).exists()

    def test_a_closed_workshop_takes_nobody_new(self, workshop: Workshop) -> None:
        outsider = actor_for("outsider", workshop, Phase.CLOSED)

        with pytest.raises(ActionRefused) as refused:
            participant_join(actor=outsider, display_name="Late Lynx 11")

        assert refused.value.code == "wrong_phase"
        assert "closed" in refused.value.message
        assert not Participant.objects.filter(workshop=workshop).exists()

    def test_a_citizen_joining_again_keeps_their_place(self, citizen: Actor) -> None:
        again = participant_join(actor=citizen, display_name="Someone else")

        assert again == citizen.participant
        assert Participant.objects.filter(workshop=citizen.workshop).count() == 1

    def test_the_joined_participant_is_recognised_by_their_session(self, outsider: Actor) -> None:
        participant = participant_join(actor=outsider, display_name="Calm Seal 20")
        session = session_for(participant=participant)

        actor = actor_resolve(workshop=outsider.workshop, user=AnonymousUser(), session=session)

        assert (actor.role, actor.participant) == (Role.CITIZEN, participant)


class TestRename:
    def test_a_citizen_renames_themself_and_the_name_is_cleaned(self, citizen: Actor) -> None:
        participant_rename(actor=citizen, display_name=f"  Quiet {HOSTILE_HTML}  Owl ")

        assert Participant.objects.get(pk=citizen.participant.pk).display_name == (
            "Quiet alert(1) Owl"
        )

    @pytest.mark.parametrize("name", ["", "   ", "<i></i>", "n" * 41, None])
    def test_a_bad_name_is_refused_and_the_old_one_stays(self, citizen: Actor, name: Any) -> None:
        before = citizen.participant.display_name

        with pytest.raises(ActionRefused) as refused:
            participant_rename(actor=citizen, display_name=name)

        assert refused.value.code == "invalid"
        assert Participant.objects.get(pk=citizen.participant.pk).display_name == before


class TestWorkshopCreateAndUpdate:
    def test_a_new_workshop_gets_a_typeable_code_and_clean_text(
        self, facilitator: AbstractBaseUser
    ) -> None:
        workshop = workshop_create(
            owner=facilitator,
            title=f"Library {HOSTILE_HTML}",
            question=f"How? {HOSTILE_FORMULA}",
            context=f"Line one\n{HOSTILE_HTML}",
        )

        stored = fresh(workshop)
        assert stored.title == "Library alert(1)"
        assert stored.question == f"How? {HOSTILE_FORMULA}"
        assert "<script" not in stored.context
        assert stored.phase == Phase.LOBBY
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", stored.join_code)

    def test_signed_out_people_cannot_create_workshops(self, db: None) -> None:
        with pytest.raises(ActionRefused) as refused:
            workshop_create(owner=AnonymousUser(), title="T", question="Q?")

        assert refused.value.code == "forbidden"
        assert not Workshop.objects.exists()

    @pytest.mark.parametrize(
        "fields",
        [
            {"title": "   "},
            {"question": "<b></b>"},
            {"title": "t" * 201},
            {"context": "c" * 2001},
            {"language": "xx"},
        ],
        ids=["blank-title", "markup-question", "long-title", "long-context", "language"],
    )
    def test_an_invalid_update_is_refused_and_nothing_changes(
        self, facilitator_actor: Actor, fields: dict[str, str]
    ) -> None:
        before = fresh(facilitator_actor.workshop)
        values = {"title": "New", "question": "New?", "context": "", "language": "en", **fields}

        with pytest.raises(ActionRefused) as refused:
            workshop_update(actor=facilitator_actor, **values)

        assert refused.value.code == "invalid"
        after = fresh(facilitator_actor.workshop)
        assert (after.title, after.question, after.revision) == (
            before.title,
            before.question,
            before.revision,
        )

    def test_an_update_is_cleaned_and_bumps_the_revision(self, facilitator_actor: Actor) -> None:
        workshop_update(
            actor=facilitator_actor,
            title=f"After dark {HOSTILE_HTML}",
            question="What brings you in at night?",
            context="",
            language="sv",
        )

        stored = fresh(facilitator_actor.workshop)
        assert (stored.title, stored.language) == ("After dark alert(1)", "sv")
        assert stored.revision == facilitator_actor.workshop.revision + 1


class TestInvitations:
    def test_accepting_makes_the_user_a_facilitator(self, workshop: Workshop) -> None:
        colleague = UserFactory(username="colleague", email="colleague@example.org")
        invitation = facilitator_invite(
            actor=actor_for("facilitator", workshop), email=" Colleague@Example.org "
        )
        assert invitation.email == "colleague@example.org"
        assert actor_for("outsider", workshop, user=colleague).role is Role.OUTSIDER

        accepted = invitation_accept(token=invitation.token, user=colleague)

        assert accepted == workshop
        assert fresh(workshop).is_facilitator(colleague)
        actor = actor_resolve(workshop=workshop, user=colleague, session={})
        assert actor.role is Role.FACILITATOR

    def test_a_used_invitation_cannot_be_used_by_someone_else(self, workshop: Workshop) -> None:
        first = UserFactory(username="first")
        invitation = InvitationFactory(workshop=workshop, email=first.email)
        second = UserFactory(username="second")
        invitation_accept(token=invitation.token, user=first)

        with pytest.raises(ActionRefused) as refused:
            invitation_accept(token=invitation.token, user=second)

        assert refused.value.code == "forbidden"
        assert not fresh(workshop).is_facilitator(second)
        invitation.refresh_from_db()
        assert invitation.accepted_by == first

    def test_a_forwarded_link_does_not_work_for_another_address(self, workshop: Workshop) -> None:
        invitation = InvitationFactory(workshop=workshop, email="invited@example.org")
        stranger = UserFactory(username="forwarded-to", email="someone-else@example.org")

        with pytest.raises(ActionRefused) as refused:
            invitation_accept(token=invitation.token, user=stranger)

        assert refused.value.code == "forbidden"
        assert "invited@example.org" in refused.value.message
        assert not fresh(workshop).is_facilitator(stranger)
        invitation.refresh_from_db()
        assert invitation.accepted_by is None

    def test_opening_ones_own_invitation_again_is_harmless(self, workshop: Workshop) -> None:
        colleague = UserFactory(username="colleague")
        invitation = InvitationFactory(workshop=workshop, email=colleague.email)
        invitation_accept(token=invitation.token, user=colleague)

        assert invitation_accept(token=invitation.token, user=colleague) == workshop
        assert fresh(workshop).is_facilitator(colleague)

    def test_signed_out_people_cannot_accept(self, workshop: Workshop) -> None:
        invitation = InvitationFactory(workshop=workshop)

        with pytest.raises(ActionRefused) as refused:
            invitation_accept(token=invitation.token, user=AnonymousUser())

        assert refused.value.code == "forbidden"
        invitation.refresh_from_db()
        assert invitation.accepted_by is None

    def test_an_unknown_token_is_not_found(self, stranger: AbstractBaseUser) -> None:
        with pytest.raises(ActionRefused) as refused:
            invitation_accept(token="no-such-invitation", user=stranger)

        assert refused.value.code == "not_found"

    @pytest.mark.parametrize("email", ["", "not-an-address", "a@" + "b" * 260])
    def test_an_invalid_address_is_refused(self, facilitator_actor: Actor, email: str) -> None:
        with pytest.raises(ActionRefused) as refused:
            facilitator_invite(actor=facilitator_actor, email=email)

        assert refused.value.code == "invalid"
        assert not facilitator_actor.workshop.invitations.exists()


class TestActorRefresh:
    def test_a_removed_co_facilitator_loses_the_room(
        self, workshop: Workshop, co_facilitator: AbstractBaseUser
    ) -> None:
        actor = actor_for("facilitator", workshop, user=co_facilitator)
        workshop.facilitators.remove(co_facilitator)

        with pytest.raises(ActionRefused) as refused:
            workshop_change_phase(actor=actor_refresh(actor), phase=Phase.CLOSED)

        assert refused.value.code == "forbidden"
        assert fresh(workshop).phase == Phase.IDEATE

    def test_a_refreshed_actor_sees_the_phase_as_it_is_now(self, citizen: Actor) -> None:
        Workshop.objects.filter(pk=citizen.workshop.pk).update(phase=Phase.CLOSED)

        with pytest.raises(ActionRefused) as refused:
            participant_rename(actor=actor_refresh(citizen), display_name="Too late")

        assert refused.value.code == "wrong_phase"


@pytest.mark.parametrize("phase", [Phase.VOTE, Phase.LOBBY, Phase.CLOSED])
def test_closed_is_final(facilitator_actor: Actor, phase: Phase) -> None:
    """The summary calls itself final once the room closed: no way back, and nothing changes."""
    closed = workshop_change_phase(actor=facilitator_actor, phase=Phase.CLOSED)

    with pytest.raises(ActionRefused) as refused:
        workshop_change_phase(actor=actor_refresh(facilitator_actor), phase=phase)

    assert refused.value.code == "wrong_phase"
    assert "final" in refused.value.message
    stored = Workshop.objects.get(pk=closed.pk)
    assert (stored.phase, stored.revision) == (Phase.CLOSED, closed.revision)
