"""Moderation over plain HTTP: the console's forms, the log and its CSV, a phone's own data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ideas.models import Idea
from moderation.models import (
    IdeaOriginal,
    ModerationAction,
    ModerationSettings,
    ParticipantRestriction,
)
from tests.conftest import join_by_page
from tests.factories import HOSTILE_FORMULA, IdeaFactory, ParticipantFactory
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def console(client: Client, workshop: Workshop) -> str:
    response = client.get(reverse("workshops:console", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200
    return response.content.decode()


def room(client: Client, workshop: Workshop) -> str:
    response = client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200
    return response.content.decode()


def post_idea(client: Client, workshop: Workshop, text: str, key: str) -> Idea:
    client.post(
        reverse("ideas:post", kwargs={"code": workshop.join_code}),
        {"text": text, "client_key": key},
    )
    return Idea.objects.get(client_key=key)


def moderate(client: Client, workshop: Workshop, idea: Idea, action: str, **data: str):  # type: ignore[no-untyped-def]
    url = reverse(
        "moderation:idea", kwargs={"code": workshop.join_code, "idea_id": idea.pk, "action": action}
    )
    return client.post(url, data)


class TestConsole:
    def test_a_held_idea_shows_in_the_console_and_not_in_the_room(
        self,
        workshop: Workshop,
        facilitator_client: Client,
        citizen_client: Client,
        second_citizen_client: Client,
    ) -> None:
        ModerationSettings.objects.create(workshop=workshop, mode="pre")
        post_idea(citizen_client, workshop, "Benches by the lake", "http-held-01")

        assert "Benches by the lake" in console(facilitator_client, workshop)
        assert "Benches by the lake" not in room(second_citizen_client, workshop)

    def test_approve_without_script(
        self, workshop: Workshop, facilitator_client: Client, citizen_client: Client
    ) -> None:
        ModerationSettings.objects.create(workshop=workshop, mode="pre")
        idea = post_idea(citizen_client, workshop, "Benches by the lake", "http-held-02")

        response = moderate(facilitator_client, workshop, idea, "approve", reason="Fine")

        assert response.status_code == 302
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED
        assert "Benches by the lake" in room(citizen_client, workshop)

    def test_an_edit_from_the_console_keeps_the_original(
        self, workshop: Workshop, facilitator_client: Client, citizen_client: Client
    ) -> None:
        idea = post_idea(citizen_client, workshop, "Call 12345678", "http-edit-01")

        moderate(facilitator_client, workshop, idea, "edit", text="Call us", reason="Number")

        assert Idea.objects.get(pk=idea.pk).text == "Call us"
        assert IdeaOriginal.objects.get(idea=idea).text == "Call 12345678"
        assert "Call 12345678" not in room(citizen_client, workshop)
        entry = ModerationAction.objects.get(kind="edit")
        assert (entry.idea_number, entry.reason) == (idea.pk, "Number")

    def test_an_unknown_action_changes_nothing(
        self, workshop: Workshop, facilitator_client: Client, citizen_client: Client
    ) -> None:
        idea = post_idea(citizen_client, workshop, "Benches", "http-bad-01")

        response = moderate(facilitator_client, workshop, idea, "explode")

        assert response.status_code == 302
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED
        assert not ModerationAction.objects.exists()

    def test_a_citizen_cannot_reach_the_console_forms(
        self, workshop: Workshop, citizen_client: Client
    ) -> None:
        idea = post_idea(citizen_client, workshop, "Benches", "http-bad-02")

        response = moderate(citizen_client, workshop, idea, "hide")

        assert response.status_code in {302, 404}
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED

    def test_settings_are_saved_and_bad_ones_explained(
        self, workshop: Workshop, facilitator_client: Client
    ) -> None:
        url = reverse("moderation:settings", kwargs={"code": workshop.join_code})
        good = {"mode": "pre", "flag_threshold": "2", "word_list": "parking", "retention_days": "7"}

        facilitator_client.post(url, good)
        response = facilitator_client.post(
            url, {**good, "retention_days": "0"}, HTTP_ACCEPT="application/json"
        )

        stored = ModerationSettings.objects.get(workshop=workshop)
        assert (stored.mode, stored.flag_threshold, stored.retention_days) == ("pre", 2, 7)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_mute_and_remove_from_the_console(
        self, workshop: Workshop, facilitator_client: Client, citizen_client: Client
    ) -> None:
        participant = Participant.objects.get(display_name="Curious Otter 42")
        url = reverse(
            "moderation:participant",
            kwargs={
                "code": workshop.join_code,
                "participant_id": participant.pk,
                "action": "remove",
            },
        )

        facilitator_client.post(url, {"reason": "Threats"})

        assert ParticipantRestriction.objects.get(participant=participant).kind == "removed"
        # The phone's next page load sends it to the join page, and joining is refused.
        response = citizen_client.get(
            reverse("workshops:room", kwargs={"code": workshop.join_code})
        )
        assert response.status_code == 302
        again = citizen_client.post(
            reverse("workshops:join", kwargs={"code": workshop.join_code}), {"display_name": "X"}
        )
        assert again.status_code == 400
        assert "removed you" in again.content.decode()
        assert Participant.objects.filter(workshop=workshop).count() == 1


class TestLog:
    def test_the_log_page_and_csv_export(
        self, workshop: Workshop, facilitator_client: Client, citizen_client: Client
    ) -> None:
        idea = post_idea(citizen_client, workshop, "Benches", "http-log-01")
        moderate(facilitator_client, workshop, idea, "hide", reason=HOSTILE_FORMULA)

        page = facilitator_client.get(
            reverse("moderation:log", kwargs={"code": workshop.join_code})
        )
        export = facilitator_client.get(
            reverse("moderation:log_csv", kwargs={"code": workshop.join_code})
        )

        assert page.status_code == 200 and "Hidden" in page.content.decode()
        assert export["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(export.content.decode())))
        assert rows[0][:3] == ["time", "action", "by"]
        assert rows[1][1] == "hide"
        # The reason a facilitator typed is shown as text, never run as a formula.
        assert rows[1][5] == "'" + HOSTILE_FORMULA

    def test_only_facilitators_read_the_log(
        self, workshop: Workshop, citizen_client: Client, stranger: object
    ) -> None:
        other = Client()
        other.force_login(stranger)  # type: ignore[arg-type]
        for client in (citizen_client, other):
            response = client.get(
                reverse("moderation:log_csv", kwargs={"code": workshop.join_code})
            )
            assert response.status_code in {302, 404}


class TestYourData:
    def test_a_phone_downloads_its_own_data(
        self, workshop: Workshop, citizen_client: Client, second_citizen_client: Client
    ) -> None:
        post_idea(citizen_client, workshop, "Benches", "http-data-01")
        post_idea(second_citizen_client, workshop, "Not mine", "http-data-02")

        response = citizen_client.get(
            reverse("moderation:your_data", kwargs={"code": workshop.join_code})
        )

        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        data = json.loads(response.content)
        assert data["participant"]["display_name"] == "Curious Otter 42"
        assert [idea["text"] for idea in data["ideas"]] == ["Benches"]
        assert data["votes"] == [] and data["flags"] == []

    def test_erasing_anonymises_ideas_and_ends_participation(
        self, workshop: Workshop, citizen_client: Client, second_citizen_client: Client
    ) -> None:
        idea = post_idea(citizen_client, workshop, "Benches", "http-erase-01")
        participant = Participant.objects.get(display_name="Curious Otter 42")
        old_key = participant.key

        response = citizen_client.post(
            reverse("moderation:erase", kwargs={"code": workshop.join_code})
        )

        assert response.status_code == 302
        participant.refresh_from_db()
        assert participant.display_name == "" and participant.key != old_key
        stored = Idea.objects.get(pk=idea.pk)
        assert (stored.text, stored.author_id) == ("Benches", None)
        assert "Curious Otter 42" not in room(second_citizen_client, workshop)
        # The phone is no longer in the room.
        back = citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
        assert back.status_code == 302
        assert (
            citizen_client.get(
                reverse("moderation:your_data", kwargs={"code": workshop.join_code})
            ).status_code
            == 302
        )

    def test_the_room_offers_download_and_erase(
        self, workshop: Workshop, citizen_client: Client
    ) -> None:
        page = room(citizen_client, workshop)

        assert reverse("moderation:your_data", kwargs={"code": workshop.join_code}) in page
        assert reverse("moderation:erase", kwargs={"code": workshop.join_code}) in page


class TestFlagOverHttp:
    def test_a_flag_without_script(
        self, workshop: Workshop, citizen_client: Client, second_citizen_client: Client
    ) -> None:
        ModerationSettings.objects.create(workshop=workshop, flag_threshold=1)
        idea = post_idea(citizen_client, workshop, "Buy my car", "http-flag-01")

        response = second_citizen_client.post(
            reverse("moderation:flag", kwargs={"code": workshop.join_code, "idea_id": idea.pk}),
            {"reason": "spam"},
            HTTP_ACCEPT="application/json",
        )

        assert response.json() == {"ok": True, "idea_id": idea.pk, "flagged": True}
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.HELD


class TestLimitsOverHttp:
    @override_settings(SAMSKAB_RATE_LIMITS={"join_per_address": "2/m"})
    def test_joining_too_often_from_one_address_is_refused_clearly(
        self, workshop: Workshop
    ) -> None:
        join_by_page(Client(), workshop)
        join_by_page(Client(), workshop)

        response = Client().post(
            reverse("workshops:join", kwargs={"code": workshop.join_code}), {"display_name": "Elk"}
        )

        assert response.status_code == 429  # as docs/protocol.md says
        assert "Wait a moment" in response.content.decode()
        assert Participant.objects.filter(workshop=workshop).count() == 2

    @override_settings(SAMSKAB_RATE_LIMITS={"post": "1/m"})
    def test_posting_too_fast_gets_429(self, workshop: Workshop, citizen_client: Client) -> None:
        url = reverse("ideas:post", kwargs={"code": workshop.join_code})
        citizen_client.post(url, {"text": "One", "client_key": "http-fast-01"})

        response = citizen_client.post(
            url, {"text": "Two", "client_key": "http-fast-02"}, HTTP_ACCEPT="application/json"
        )

        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert Idea.objects.count() == 1


def test_pages_carry_a_strict_content_security_policy(
    workshop: Workshop, citizen_client: Client
) -> None:
    response = citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))

    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy
    assert set(directives["connect-src"]) >= {"'self'", "wss:"}
    assert directives["img-src"] == ["'self'", "data:"]
    # No inline script on the page the policy protects: only src= scripts and JSON data.
    page = response.content.decode()
    for opening in page.split("<script")[1:]:
        tag = opening.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_an_idea_of_another_workshop_cannot_be_flagged(
    workshop: Workshop, citizen_client: Client
) -> None:
    elsewhere = IdeaFactory(author=ParticipantFactory())

    response = citizen_client.post(
        reverse("moderation:flag", kwargs={"code": workshop.join_code, "idea_id": elsewhere.pk}),
        {"reason": "spam"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 404
