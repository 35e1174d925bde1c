"""Room commands about moderation: their declared fields, and the call to each service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec

from ideas.serializers import idea_as_dict
from workshops.actors import Actor
from workshops.registry import Command, Fields
from workshops.serializers import participant_as_dict

from . import services
from .selectors import review_of
from .serializers import settings_as_dict

_REASON = msgspec.Meta(description="for the log, at most 500 characters")


class Flag(Fields):
    idea_id: int
    reason: Annotated[
        str, msgspec.Meta(description="`offensive`, `personal`, `spam`, `off_topic` or `other`")
    ]


class OnIdea(Fields):
    idea_id: int
    reason: Annotated[str, _REASON] = ""


class Reword(Fields):
    idea_id: int
    text: str
    reason: Annotated[str, _REASON] = ""


class OnParticipant(Fields):
    participant_id: int
    reason: Annotated[str, _REASON] = ""


class Configure(Fields):
    mode: Annotated[str, msgspec.Meta(description="`post` or `pre`")]
    flag_threshold: Annotated[int, msgspec.Meta(description="1-50")]
    word_list: Annotated[str, msgspec.Meta(description="one entry a line")]
    retention_days: Annotated[int, msgspec.Meta(description="1-3650")]


def _flag(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_flag(actor=actor, idea_id=frame.get("idea_id"), reason=frame.get("reason"))
    return {"idea_id": idea.pk, "flagged": True}


def _on_idea(service: Callable[..., Any]) -> Callable[[Actor, dict[str, Any]], dict[str, Any]]:
    def handle(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
        idea = service(actor=actor, idea_id=frame.get("idea_id"), reason=frame.get("reason"))
        return {"idea": idea_as_dict(idea), "review": review_of(idea)}

    return handle


def _edit(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_moderate_text(
        actor=actor,
        idea_id=frame.get("idea_id"),
        text=frame.get("text"),
        reason=frame.get("reason"),
    )
    return {"idea": idea_as_dict(idea), "review": review_of(idea)}


def _delete(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    number = services.idea_delete(
        actor=actor, idea_id=frame.get("idea_id"), reason=frame.get("reason")
    )
    return {"idea_id": number}


def _on_participant(
    service: Callable[..., Any],
) -> Callable[[Actor, dict[str, Any]], dict[str, Any]]:
    def handle(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
        participant = service(
            actor=actor, participant_id=frame.get("participant_id"), reason=frame.get("reason")
        )
        return {"participant": participant_as_dict(participant)}

    return handle


def _configure(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    moderation = services.moderation_configure(
        actor=actor,
        mode=frame.get("mode"),
        flag_threshold=frame.get("flag_threshold"),
        word_list=frame.get("word_list"),
        retention_days=frame.get("retention_days"),
    )
    return {"settings": settings_as_dict(moderation)}


_REVIEWED = "`idea`, `review`"

COMMANDS: dict[str, Command] = {
    "idea.flag": Command(
        _flag,
        Flag,
        who="citizen (not the author), any phase but closed; once per idea",
        answer="`idea_id`, `flagged`",
    ),
    "moderation.approve": Command(
        _on_idea(services.idea_approve), OnIdea, who="facilitator; a held idea", answer=_REVIEWED
    ),
    "moderation.hide": Command(
        _on_idea(services.idea_hide),
        OnIdea,
        who="facilitator; a published or held idea",
        answer=_REVIEWED,
    ),
    "moderation.restore": Command(
        _on_idea(services.idea_restore), OnIdea, who="facilitator; a hidden idea", answer=_REVIEWED
    ),
    "moderation.edit": Command(
        _edit, Reword, who="facilitator; the author's words are kept", answer=_REVIEWED
    ),
    "moderation.delete": Command(
        _delete,
        OnIdea,
        who="facilitator; the idea is gone, the log keeps that it was",
        answer="`idea_id`",
    ),
    "moderation.configure": Command(_configure, Configure, who="facilitator", answer="`settings`"),
    "participant.mute": Command(
        _on_participant(services.participant_mute),
        OnParticipant,
        who="facilitator",
        answer="`participant`",
    ),
    "participant.unmute": Command(
        _on_participant(services.participant_unmute),
        OnParticipant,
        who="facilitator",
        answer="`participant`",
    ),
    "participant.remove": Command(
        _on_participant(services.participant_remove),
        OnParticipant,
        who="facilitator",
        answer="`participant`",
    ),
}
