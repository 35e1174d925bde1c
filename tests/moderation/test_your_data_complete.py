"""The data download holds everything kept about the person, and a removed participant
can still download and erase it (issue 17, 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from moderation import services as moderation
from summaries import services as summaries
from tests.factories import actor_for
from workshops.models import Participant, Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

NAME = "Curious Otter 42"  # the name citizen_client joined with


def download(client: Client, workshop: Workshop) -> dict[str, Any]:
    response = client.get(reverse("moderation:your_data", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200, response
    return json.loads(response.content)


def post_idea(client: Client, workshop: Workshop, text: str, key: str) -> Idea:
    client.post(
        reverse("ideas:post", kwargs={"code": workshop.join_code}),
        {"text": text, "client_key": key},
    )
    return Idea.objects.get(client_key=key)


def test_the_download_holds_suggestions_consent_and_what_moderation_did(
    workshop: Workshop, citizen_client: Client
) -> None:
    idea = post_idea(citizen_client, workshop, "Benches by the lake", "data-all-01")
    participant = Participant.objects.get(display_name=NAME)
    facilitator = actor_for("facilitator", workshop)
    moderation.idea_moderate_text(
        actor=facilitator, idea_id=idea.pk, text="Benches", reason="shorter"
    )
    moderation.participant_mute(actor=facilitator, participant_id=participant.pk, reason="loud")
    moderation.participant_unmute(actor=facilitator, participant_id=participant.pk)
    facilitator = actor_for("facilitator", workshop, Phase.PROPOSE)
    proposition = summaries.proposition_start(
        actor=facilitator, target_type="idea", target_id=idea.pk
    )
    summaries.propositions_allow_suggestions(actor=facilitator, allowed=True)
    citizen = actor_for("citizen", workshop, participant=participant)
    summaries.proposition_suggest(
        actor=citizen, proposition_id=proposition.pk, field="need", text="Shade in summer"
    )
    summaries.name_consent_set(actor=citizen, agreed=True)

    data = download(citizen_client, workshop)

    assert [(s["field"], s["text"], s["status"]) for s in data["proposition_suggestions"]] == [
        ("need", "Shade in summer", "pending")
    ]
    assert data["proposition_suggestions"][0]["proposition_id"] == proposition.pk
    assert data["name_in_summary"]["agreed"] is True
    assert [(i["text"], i["original_text"]) for i in data["ideas"]] == [
        ("Benches", "Benches by the lake")
    ]
    assert [(m["action"], m["reason"]) for m in data["moderation"]] == [
        ("mute", "loud"),
        ("unmute", ""),
    ]
    assert data["restriction"] is None


def test_without_consent_or_suggestions_the_download_says_so(
    workshop: Workshop, citizen_client: Client
) -> None:
    data = download(citizen_client, workshop)

    assert data["name_in_summary"] == {"agreed": False, "at": None}
    assert data["proposition_suggestions"] == []


def test_a_removed_participant_downloads_and_erases_their_data_and_stays_removed(
    workshop: Workshop, citizen_client: Client, second_citizen_client: Client
) -> None:
    idea = post_idea(citizen_client, workshop, "Benches", "data-removed-01")
    participant = Participant.objects.get(display_name=NAME)
    moderation.participant_remove(
        actor=actor_for("facilitator", workshop), participant_id=participant.pk, reason="spam"
    )
    join_page = citizen_client.get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    assert reverse("moderation:your_data", kwargs={"code": workshop.join_code}) in (
        join_page.content.decode()
    )

    data = download(citizen_client, workshop)
    erased = citizen_client.post(
        reverse("moderation:erase", kwargs={"code": workshop.join_code}),
        HTTP_ACCEPT="application/json",
    )

    assert data["participant"]["display_name"] == NAME
    assert [i["text"] for i in data["ideas"]] == ["Benches"]
    assert data["restriction"]["kind"] == "removed"
    assert erased.status_code == 200, erased.content
    participant.refresh_from_db()
    assert participant.display_name == ""
    assert Idea.objects.get(pk=idea.pk).author_id is None
    assert download(citizen_client, workshop)["participant"]["display_name"] == ""
    # Erasing is no way back in: the phone is still removed.
    again = citizen_client.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}), {"display_name": "New"}
    )
    assert again.status_code == 400
    assert not Participant.objects.filter(display_name="New").exists()
    room = citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    assert room.status_code == 302


def test_nobody_else_gets_a_removed_participants_data(
    workshop: Workshop, citizen_client: Client, second_citizen_client: Client
) -> None:
    participant = Participant.objects.get(display_name=NAME)
    moderation.participant_remove(
        actor=actor_for("facilitator", workshop), participant_id=participant.pk
    )

    other = download(second_citizen_client, workshop)
    stranger = Client().get(reverse("moderation:your_data", kwargs={"code": workshop.join_code}))

    assert other["participant"]["display_name"] != NAME
    assert stranger.status_code == 302


def test_the_download_holds_exactly_the_keys_the_protocol_names(
    workshop: Workshop, citizen_client: Client
) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    (row,) = [line for line in doc.splitlines() if line.startswith("| `GET /w/<code>/your-data")]
    listed = row.split("(JSON attachment):", 1)[1].split(" |", 1)[0]
    while re.search(r"\([^()]*\)", listed):  # what a key holds is said in brackets
        listed = re.sub(r"\([^()]*\)", "", listed)

    assert set(download(citizen_client, workshop)) == set(re.findall(r"`(\w+)`", listed))
