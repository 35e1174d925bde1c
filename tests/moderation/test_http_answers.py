"""Moderation's HTTP endpoints answer a script with the same data as the matching
command's ack (docs/protocol.md: `{"ok": true, ...}` with the ack's data)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from moderation.models import ModerationSettings
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from workshops.commands import command_handle
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _keys_of_ack(workshop: Workshop, frame: dict[str, object]) -> set[str]:
    _actor, reply = command_handle(actor=actor_for("facilitator", workshop), frame=frame)
    assert reply["type"] == "ack", reply
    return set(reply["data"])


def test_the_settings_answer_carries_the_settings(
    workshop: Workshop, facilitator_client: Client
) -> None:
    fields = {"mode": "pre", "flag_threshold": 4, "word_list": "bad*", "retention_days": 40}
    url = reverse("moderation:settings", kwargs={"code": workshop.join_code})

    body = facilitator_client.post(url, {k: str(v) for k, v in fields.items()}, **JSON).json()

    assert set(body) - {"ok"} == _keys_of_ack(workshop, {"type": "moderation.configure", **fields})
    assert body["settings"]["mode"] == "pre" and body["settings"]["retention_days"] == 40


@pytest.mark.parametrize("action", ["hide", "restore"])
def test_an_idea_answer_carries_the_idea_and_its_review(
    action: str, workshop: Workshop, facilitator_client: Client
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop))
    if action == "restore":
        command_handle(
            actor=actor_for("facilitator", workshop),
            frame={"type": "moderation.hide", "idea_id": idea.pk},
        )
    url = reverse(
        "moderation:idea",
        kwargs={"code": workshop.join_code, "idea_id": idea.pk, "action": action},
    )

    body = facilitator_client.post(url, {"reason": "checked"}, **JSON).json()

    assert body["ok"] is True
    assert set(body) - {"ok"} == {"idea", "review"}
    assert body["idea"]["id"] == idea.pk and body["review"]["idea_id"] == idea.pk


def test_a_participant_answer_carries_the_participant(
    workshop: Workshop, facilitator_client: Client
) -> None:
    participant = ParticipantFactory(workshop=workshop)
    url = reverse(
        "moderation:participant",
        kwargs={"code": workshop.join_code, "participant_id": participant.pk, "action": "mute"},
    )

    body = facilitator_client.post(url, {}, **JSON).json()

    assert set(body) - {"ok"} == {"participant"}
    assert body["participant"]["id"] == participant.pk


def test_a_settings_field_left_empty_is_named_and_nothing_changes(
    workshop: Workshop, facilitator_client: Client
) -> None:
    url = reverse("moderation:settings", kwargs={"code": workshop.join_code})
    fields = {"mode": "pre", "flag_threshold": "", "word_list": "", "retention_days": "30"}

    response = facilitator_client.post(url, fields, **JSON)

    assert response.status_code == 400
    assert response.json()["message"] == "Flags before an idea is held: This field is required."
    assert not ModerationSettings.objects.filter(workshop=workshop, mode="pre").exists()
