"""Room commands about moderation: check the frame's fields, call the service, answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ideas.serializers import idea_as_dict
from workshops.actors import Actor
from workshops.registry import Command
from workshops.serializers import participant_as_dict

from . import services
from .selectors import review_of
from .serializers import settings_as_dict


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


COMMANDS: dict[str, Command] = {
    "idea.flag": Command(_flag),
    "moderation.approve": Command(_on_idea(services.idea_approve)),
    "moderation.hide": Command(_on_idea(services.idea_hide)),
    "moderation.restore": Command(_on_idea(services.idea_restore)),
    "moderation.edit": Command(_edit),
    "moderation.delete": Command(_delete),
    "moderation.configure": Command(_configure),
    "participant.mute": Command(_on_participant(services.participant_mute)),
    "participant.unmute": Command(_on_participant(services.participant_unmute)),
    "participant.remove": Command(_on_participant(services.participant_remove)),
}
