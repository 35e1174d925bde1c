"""The room's pages, as a phone, a facilitator's laptop and a decision-maker see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import join_by_page
from tests.factories import (
    HOSTILE_HTML,
    IdeaFactory,
    InvitationFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.actors import OBSERVING_SESSION_KEY, PARTICIPANTS_SESSION_KEY
from workshops.models import Participant, Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

ESCAPED_HOSTILE = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(name: str, workshop: Workshop, **kwargs: str) -> str:
    return reverse(f"workshops:{name}", kwargs={"code": workshop.join_code, **kwargs})


def fresh(workshop: Workshop) -> Workshop:
    return Workshop.objects.get(pk=workshop.pk)


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestHome:
    def test_the_code_form_is_shown(self, client: Client) -> None:
        response = client.get(reverse("workshops:home"))

        assert response.status_code == 200
        assert b'name="code"' in response.content

    def test_an_unknown_code_is_refused_with_a_clear_message(self, client: Client) -> None:
        response = client.post(reverse("workshops:home"), {"code": "ZZZZZZ"})

        assert response.status_code == 400
        assert "No workshop has this code. Check it and try again." in response.text
        assert 'value="ZZZZZZ"' in response.text

    def test_an_empty_code_is_refused(self, client: Client) -> None:
        response = client.post(reverse("workshops:home"), {"code": ""})

        assert response.status_code == 400

    def test_a_code_typed_loosely_leads_to_the_join_page(self, client: Client) -> None:
        workshop = WorkshopFactory(join_code="GP6AM2")

        response = client.post(reverse("workshops:home"), {"code": "gp6-am2 "})

        assert response.status_code == 302
        assert response["Location"] == url("join", workshop)


class TestJoin:
    def test_the_join_page_suggests_a_name_and_escapes_the_title(
        self, client: Client, workshop: Workshop
    ) -> None:
        response = client.get(url("join", workshop))

        assert response.status_code == 200
        assert 'name="display_name"' in response.text
        assert HOSTILE_HTML not in response.text
        assert ESCAPED_HOSTILE in response.text

    def test_a_lowercase_code_redirects_to_the_real_one(
        self, client: Client, workshop: Workshop
    ) -> None:
        # A code of digits alone reads the same in lower case: give it a letter.
        workshop.join_code = "K" + workshop.join_code[1:]
        workshop.save(update_fields=["join_code"])
        response = client.get(
            reverse("workshops:join", kwargs={"code": workshop.join_code.lower()})
        )

        assert response.status_code == 302
        assert response["Location"] == url("join", workshop)

    def test_joining_keeps_the_place_in_the_session_and_opens_the_room(
        self, client: Client, workshop: Workshop
    ) -> None:
        response = client.post(url("join", workshop), {"display_name": "Curious Otter 42"})

        # The room answers the form at once, and tells its script the room's own address.
        assert response.status_code == 200
        assert "Curious Otter 42" in response.text
        assert response.context["room_config"]["page_url"] == url("room", workshop)
        participant = Participant.objects.get(workshop=workshop)
        assert participant.display_name == "Curious Otter 42"
        assert client.session[PARTICIPANTS_SESSION_KEY] == {str(workshop.pk): participant.key}
        room = client.get(url("room", workshop))
        assert room.status_code == 200
        assert "Curious Otter 42" in room.text

    def test_joining_without_a_name_gets_a_generated_one(
        self, client: Client, workshop: Workshop
    ) -> None:
        join_by_page(client, workshop, "")

        assert Participant.objects.get(workshop=workshop).display_name.strip() != ""

    def test_the_same_phone_coming_back_is_the_same_participant(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        again = citizen_client.get(url("join", workshop))
        posted_again = citizen_client.post(url("join", workshop), {"display_name": "Other"})

        assert again.status_code == posted_again.status_code == 302
        assert again["Location"] == url("room", workshop)
        assert list(Participant.objects.filter(workshop=workshop).values_list("display_name")) == [
            ("Curious Otter 42",)
        ]

    def test_two_phones_are_two_participants(
        self, citizen_client: Client, second_citizen_client: Client, workshop: Workshop
    ) -> None:
        assert Participant.objects.filter(workshop=workshop).count() == 2

    def test_a_closed_workshop_says_so_and_takes_nobody(
        self, client: Client, workshop: Workshop
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)

        page = client.get(url("join", workshop))
        posted = client.post(url("join", workshop), {"display_name": "Late Lynx 11"})

        assert page.status_code == 200
        assert "This workshop has closed" in page.text
        assert 'name="display_name"' not in page.text
        assert posted.status_code == 400
        assert not Participant.objects.filter(workshop=workshop).exists()
        assert PARTICIPANTS_SESSION_KEY not in client.session

    def test_a_facilitator_opening_the_join_link_goes_to_the_console(
        self, facilitator_client: Client, workshop: Workshop
    ) -> None:
        response = facilitator_client.get(url("join", workshop))

        assert response["Location"] == url("console", workshop)
        assert not Participant.objects.exists()


class TestRoom:
    def test_ideas_and_names_are_shown_escaped(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        # Stored as-is by the factory, as if the sanitiser had been bypassed.
        IdeaFactory(author__workshop=workshop)

        response = citizen_client.get(url("room", workshop))

        assert response.status_code == 200
        assert HOSTILE_HTML not in response.text
        assert "Open late on Fridays " + ESCAPED_HOSTILE in response.text
        # The snapshot handed to the page's script is escaped too.
        assert "Open late on Fridays \\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in (
            response.text
        )

    def test_someone_who_has_not_joined_is_sent_to_the_join_page(
        self, client: Client, workshop: Workshop
    ) -> None:
        IdeaFactory(author__workshop=workshop, text="Secret until you join")

        response = client.get(url("room", workshop))

        assert response.status_code == 302
        assert response["Location"] == url("join", workshop)

    def test_a_citizen_renames_themself(self, citizen_client: Client, workshop: Workshop) -> None:
        response = citizen_client.post(url("rename", workshop), {"display_name": "Quiet Owl"})

        assert response["Location"] == url("room", workshop)
        assert Participant.objects.get(workshop=workshop).display_name == "Quiet Owl"

    @pytest.mark.parametrize(
        ("typed", "message"),
        [("O" * 41, "A name can be at most 40 characters."), ("  ", "Your name cannot be empty.")],
    )
    def test_a_refused_name_is_told_why_as_over_the_socket(
        self, citizen_client: Client, workshop: Workshop, typed: str, message: str
    ) -> None:
        before = Participant.objects.get(workshop=workshop).display_name

        response = citizen_client.post(
            url("rename", workshop), {"display_name": typed}, HTTP_ACCEPT="application/json"
        )

        assert response.status_code == 400
        assert response.json() == {"ok": False, "code": "invalid", "message": message}
        assert Participant.objects.get(workshop=workshop).display_name == before

    @pytest.mark.parametrize("name", ["room", "join", "qr"])
    def test_an_unknown_workshop_is_not_found(self, client: Client, db: None, name: str) -> None:
        response = client.get(reverse(f"workshops:{name}", kwargs={"code": "ZZZZZZ"}))

        assert response.status_code == 404


class TestQrCode:
    def test_the_qr_code_is_an_svg_of_the_join_link(
        self, client: Client, workshop: Workshop
    ) -> None:
        response = client.get(url("qr", workshop))

        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content.startswith(b"<svg")
        assert b"<path" in response.content
        assert HOSTILE_HTML.encode() not in response.content


class TestConsoleAndProjector:
    @pytest.mark.parametrize("page", ["console", "projector"])
    def test_the_owner_sees_the_page(
        self, facilitator_client: Client, workshop: Workshop, page: str
    ) -> None:
        response = facilitator_client.get(url(page, workshop))

        assert response.status_code == 200
        assert workshop.join_code in response.text
        assert HOSTILE_HTML not in response.text

    @pytest.mark.parametrize("page", ["console", "projector"])
    def test_an_accepted_co_facilitator_sees_the_page(
        self, co_facilitator: AbstractBaseUser, workshop: Workshop, page: str
    ) -> None:
        response = signed_in(co_facilitator).get(url(page, workshop))

        assert response.status_code == 200

    @pytest.mark.parametrize("page", ["console", "projector", "edit"])
    def test_a_signed_in_stranger_is_told_nothing_exists(
        self, stranger: AbstractBaseUser, workshop: Workshop, page: str
    ) -> None:
        response = signed_in(stranger).get(url(page, workshop))

        assert response.status_code == 404
        assert "Library for teenagers" not in response.text

    @pytest.mark.parametrize("page", ["console", "projector"])
    def test_an_invited_colleague_who_has_not_accepted_is_not_let_in(
        self, workshop: Workshop, page: str
    ) -> None:
        invitation = InvitationFactory(workshop=workshop)
        colleague = UserFactory(username="invited", email=invitation.email)

        response = signed_in(colleague).get(url(page, workshop))

        assert response.status_code == 404

    @pytest.mark.parametrize("page", ["console", "projector"])
    def test_a_citizen_is_asked_to_sign_in(
        self, citizen_client: Client, workshop: Workshop, page: str
    ) -> None:
        response = citizen_client.get(url(page, workshop))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_the_console_shows_the_observer_link(
        self, facilitator_client: Client, workshop: Workshop
    ) -> None:
        response = facilitator_client.get(url("console", workshop))

        assert reverse("workshops:observe", kwargs={"token": workshop.observer_token}) in (
            response.text
        )


class TestPhaseForm:
    def test_the_facilitator_opens_ideas_with_a_timer(
        self, facilitator_client: Client, workshop: Workshop
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.LOBBY)

        response = facilitator_client.post(
            url("phase", workshop), {"phase": "ideate", "duration_seconds": "300"}, follow=True
        )

        assert response.redirect_chain[-1][0] == url("console", workshop)
        stored = fresh(workshop)
        assert stored.phase == Phase.IDEATE
        assert stored.phase_ends_at is not None
        expected_end = timezone.now() + timedelta(seconds=300)
        assert abs(stored.phase_ends_at - expected_end) < timedelta(seconds=5)
        assert "The room is now in the Ideate phase." in response.text

    def test_closing_clears_the_timer(self, facilitator_client: Client, workshop: Workshop) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase_ends_at=timezone.now())

        facilitator_client.post(url("phase", workshop), {"phase": "closed", "duration_seconds": ""})

        stored = fresh(workshop)
        assert (stored.phase, stored.phase_ends_at) == (Phase.CLOSED, None)

    @pytest.mark.parametrize(
        "form",
        [{"phase": "party"}, {"phase": "ideate", "duration_seconds": "7"}, {}],
        ids=["unknown-phase", "odd-timer", "empty"],
    )
    def test_a_bad_choice_is_explained_and_nothing_changes(
        self, facilitator_client: Client, workshop: Workshop, form: dict[str, str]
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.LOBBY)

        response = facilitator_client.post(url("phase", workshop), form, follow=True)

        assert "Choose a phase and a timer from the lists." in response.text
        assert fresh(workshop).phase == Phase.LOBBY

    def test_a_stranger_cannot_move_the_room(
        self, stranger: AbstractBaseUser, workshop: Workshop
    ) -> None:
        response = signed_in(stranger).post(url("phase", workshop), {"phase": "closed"})

        assert response.status_code == 404
        assert fresh(workshop).phase == Phase.IDEATE

    def test_a_citizen_cannot_move_the_room(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        response = citizen_client.post(url("phase", workshop), {"phase": "closed"})

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert fresh(workshop).phase == Phase.IDEATE

    def test_the_timer_form_restarts_the_countdown(
        self, facilitator_client: Client, workshop: Workshop
    ) -> None:
        facilitator_client.post(url("timer", workshop), {"duration_seconds": "600"})

        stored = fresh(workshop)
        assert stored.phase_ends_at is not None
        assert abs(stored.phase_ends_at - (timezone.now() + timedelta(seconds=600))) < timedelta(
            seconds=5
        )


class TestObserverLink:
    def test_the_link_opens_the_wall_read_only(self, client: Client, workshop: Workshop) -> None:
        IdeaFactory(author__workshop=workshop)

        response = client.get(
            reverse("workshops:observe", kwargs={"token": workshop.observer_token})
        )

        assert response.status_code == 200
        assert "Open late on Fridays " + ESCAPED_HOSTILE in response.text
        assert HOSTILE_HTML not in response.text
        assert 'name="text"' not in response.text
        assert client.session[OBSERVING_SESSION_KEY] == [workshop.pk]

    def test_afterwards_the_room_link_shows_the_observer_view(
        self, client: Client, workshop: Workshop
    ) -> None:
        observe_url = reverse("workshops:observe", kwargs={"token": workshop.observer_token})
        client.get(observe_url)

        response = client.get(url("room", workshop))

        assert response["Location"] == observe_url

    def test_a_wrong_token_is_not_found(self, client: Client, workshop: Workshop) -> None:
        response = client.get(reverse("workshops:observe", kwargs={"token": "guess"}))

        assert response.status_code == 404
        assert OBSERVING_SESSION_KEY not in client.session


class TestInvitationPages:
    def test_accepting_by_the_link_opens_the_console(
        self, workshop: Workshop, stranger: AbstractBaseUser
    ) -> None:
        invitation = InvitationFactory(workshop=workshop, email=stranger.email)
        client = signed_in(stranger)

        response = client.post(reverse("workshops:invitation", kwargs={"token": invitation.token}))

        assert response["Location"] == url("console", workshop)
        assert client.get(url("console", workshop)).status_code == 200

    def test_a_used_link_is_refused_for_someone_else(
        self, workshop: Workshop, co_facilitator: AbstractBaseUser, stranger: AbstractBaseUser
    ) -> None:
        invitation = workshop.invitations.get(accepted_by=co_facilitator)

        response = signed_in(stranger).post(
            reverse("workshops:invitation", kwargs={"token": invitation.token})
        )

        assert response.status_code == 400
        assert "Sign in with that address to accept it." in response.text
        assert not fresh(workshop).is_facilitator(stranger)

    def test_inviting_by_the_console_creates_a_link(
        self, facilitator_client: Client, workshop: Workshop
    ) -> None:
        response = facilitator_client.post(
            url("invite", workshop), {"email": "ally@example.org"}, follow=True
        )

        invitation = workshop.invitations.get()
        assert invitation.email == "ally@example.org"
        assert reverse("workshops:invitation", kwargs={"token": invitation.token}) in response.text
