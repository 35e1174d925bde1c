"""Moderation's events are their declared shapes, as the protocol reference's tables say.

An outside client is built from docs/protocol.md alone; its tables are written from
moderation.events, so what a socket receives must be exactly those shapes.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from channels.db import database_sync_to_async
from django.test import Client

from moderation.events import (
    ModerationSettings as SettingsShape,
)
from moderation.events import (
    ModerationSettingsChanged,
    ParticipantErased,
    ParticipantRestricted,
)
from moderation.events import Restriction as RestrictionShape
from moderation.events import Review as ReviewShape
from tests.workshops.test_consumer import Connect, receive, receive_until, snapshot_of
from workshops.events import ParticipantShape, publish
from workshops.models import Workshop


def _settings(**changed: Any) -> dict[str, Any]:
    return {
        "mode": "post",
        "flag_threshold": 3,
        "word_list": "",
        "retention_days": 30,
        **changed,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event_type", "data", "named"),
    [
        ("moderation.settings_changed", {"settings": {"mode": "post"}}, "flag_threshold"),
        (
            "moderation.settings_changed",
            {"settings": _settings(flag_threshold="3")},
            "flag_threshold",
        ),
        ("moderation.settings_changed", {"settings": _settings(erased_at=None)}, "erased_at"),
        (
            "participant.restricted",
            {"participant": {"id": 1, "display_name": "Ada"}, "restriction": {"kind": "muted"}},
            "participant_id",
        ),
        (
            "participant.restricted",
            {
                "participant": {"id": 1, "display_name": "Ada"},
                "restriction": {"participant_id": 1, "kind": "muted", "since": "today"},
            },
            "since",
        ),
        ("participant.erased", {"participant": {"id": 1}}, "display_name"),
    ],
)
def test_a_moderation_event_of_another_shape_is_never_published(
    workshop: Workshop, event_type: str, data: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        publish(workshop, event_type, data)


@pytest.mark.django_db(transaction=True)
async def test_what_a_facilitator_hears_of_settings_and_restrictions_is_the_declared_shape(
    open_socket: Connect,
    citizen_client: Client,
    facilitator_client: Client,
    workshop: Workshop,
) -> None:
    phone = await open_socket(citizen_client, workshop.join_code)
    citizen_id = (await snapshot_of(phone))["you"]["participant_id"]
    console = await open_socket(facilitator_client, workshop.join_code)
    snapshot = await snapshot_of(console)
    msgspec.convert(snapshot["moderation"]["settings"], SettingsShape)

    await console.send_json_to(
        {
            "type": "moderation.configure",
            "mode": "pre",
            "flag_threshold": 4,
            "word_list": "parkering",
            "retention_days": 60,
            "request_id": "c",
        }
    )
    frames = await receive_until(console, {"ack", "moderation.settings_changed"})
    changed = msgspec.convert(
        frames["moderation.settings_changed"]["data"], ModerationSettingsChanged
    )
    assert changed.settings == SettingsShape(
        mode="pre", flag_threshold=4, word_list="parkering", retention_days=60
    )
    assert msgspec.convert(frames["ack"]["data"]["settings"], SettingsShape) == changed.settings

    kinds = []
    for command in ("participant.mute", "participant.unmute"):
        await console.send_json_to({"type": command, "participant_id": citizen_id})
        frames = await receive_until(console, {"ack", "participant.restricted"})
        restricted = msgspec.convert(
            frames["participant.restricted"]["data"], ParticipantRestricted
        )
        assert restricted.participant.id == restricted.restriction.participant_id == citizen_id
        kinds.append(restricted.restriction.kind)
    assert kinds == ["muted", ""]

    response = await database_sync_to_async(citizen_client.post)(
        f"/w/{workshop.join_code}/your-data/erase/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    erased = await receive(console)
    assert erased["type"] == "participant.erased"
    assert msgspec.convert(erased["data"], ParticipantErased).participant == ParticipantShape(
        id=citizen_id, display_name=""
    )


@pytest.mark.django_db
def test_every_moderation_shape_is_what_its_serialiser_builds(workshop: Workshop) -> None:
    from ideas.models import Idea
    from moderation.models import Flag, ModerationSettings
    from moderation.selectors import review_of
    from moderation.serializers import restriction_as_dict, settings_as_dict
    from tests.factories import IdeaFactory, ParticipantFactory

    author = ParticipantFactory(workshop=workshop)
    flagger = ParticipantFactory(workshop=workshop)
    idea = IdeaFactory(author=author, status=Idea.Status.PUBLISHED)
    Flag.objects.create(idea=idea, participant=flagger, reason=Flag.Reason.SPAM)

    review = msgspec.convert(review_of(idea), ReviewShape)
    assert (review.flag_count, review.flag_reasons) == (1, {"spam": 1})
    settings = ModerationSettings.objects.create(workshop=workshop, word_list="a\nb*")
    assert msgspec.convert(settings_as_dict(settings), SettingsShape).word_list == "a\nb*"
    assert msgspec.convert(restriction_as_dict(author, "removed"), RestrictionShape).kind == (
        "removed"
    )
