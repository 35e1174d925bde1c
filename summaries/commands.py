"""Room commands about value propositions: check the frame's fields, call the service, answer."""

from __future__ import annotations

from typing import Any

from workshops.actors import Actor
from workshops.phases import Role
from workshops.registry import Command

from . import services
from .serializers import proposition_as_dict


def _shape(actor: Actor, proposition: Any) -> dict[str, Any]:
    return proposition_as_dict(proposition, for_facilitator=actor.role is Role.FACILITATOR)


def _start(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    proposition = services.proposition_start(
        actor=actor, target_type=frame.get("target_type"), target_id=frame.get("target_id")
    )
    return {"proposition": _shape(actor, proposition)}


def _edit(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    proposition, conflict = services.proposition_edit(
        actor=actor,
        proposition_id=frame.get("proposition_id"),
        field=frame.get("field"),
        text=frame.get("text"),
        revision=frame.get("revision"),
    )
    return {"proposition": _shape(actor, proposition), "conflict": conflict}


def _resolve(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    proposition = services.proposition_resolve(
        actor=actor, alternative_id=frame.get("alternative_id"), keep=frame.get("keep")
    )
    return {"proposition": _shape(actor, proposition)}


def _remove(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    pk = services.proposition_remove(actor=actor, proposition_id=frame.get("proposition_id"))
    return {"proposition_id": pk}


def _suggest(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    suggestion = services.proposition_suggest(
        actor=actor,
        proposition_id=frame.get("proposition_id"),
        field=frame.get("field"),
        text=frame.get("text"),
    )
    return {"suggestion_id": suggestion.pk}


def _decide(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    proposition = services.proposition_suggestion_resolve(
        actor=actor, suggestion_id=frame.get("suggestion_id"), accept=frame.get("accept")
    )
    return {"proposition": _shape(actor, proposition)}


def _allow(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    allowed = services.propositions_allow_suggestions(actor=actor, allowed=frame.get("allowed"))
    return {"participants_may_suggest": allowed}


def _consent(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    agreed = services.name_consent_set(actor=actor, agreed=frame.get("agreed"))
    return {"name_in_summary": agreed}


COMMANDS: dict[str, Command] = {
    "proposition.start": Command(_start),
    "proposition.edit": Command(_edit),
    "proposition.resolve": Command(_resolve),
    "proposition.remove": Command(_remove),
    "proposition.suggest": Command(_suggest),
    "proposition.decide": Command(_decide),
    "propositions.allow_suggestions": Command(_allow),
    "summary.name_consent": Command(_consent),
}
