"""Room commands about value propositions: their declared fields, and each service's call."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.actors import Actor
from workshops.phases import Role
from workshops.registry import Command, Fields

from . import services
from .serializers import proposition_as_dict

_FIELD = msgspec.Meta(
    description="`target_group`, `need`, `offer`, `citizen_gain`, `municipal_cost` "
    "or `open_questions`"
)


class Start(Fields):
    target_type: Annotated[str, msgspec.Meta(description="`cluster` or `idea`")]
    target_id: int


class EditPart(Fields):
    proposition_id: int
    field: Annotated[str, _FIELD]
    text: str
    revision: Annotated[int, msgspec.Meta(description="the part's revision the text is based on")]


class Resolve(Fields):
    alternative_id: int
    keep: Annotated[str, msgspec.Meta(description="`current` or `alternative`")]


class OnProposition(Fields):
    proposition_id: int


class Suggest(Fields):
    proposition_id: int
    field: Annotated[str, _FIELD]
    text: str


class Decide(Fields):
    suggestion_id: int
    accept: Annotated[bool, msgspec.Meta(description="accepted text is added after the part's")]


class Allow(Fields):
    allowed: bool


class Consent(Fields):
    agreed: bool


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


_WRITER = "facilitator, `propose`"

COMMANDS: dict[str, Command] = {
    "proposition.start": Command(
        _start,
        Start,
        who=_WRITER,
        answer="`proposition` (the existing one if the target already has one)",
    ),
    "proposition.edit": Command(
        _edit,
        EditPart,
        who=_WRITER,
        answer="`proposition`, `conflict`: `null` or "
        "`{field, alternative_id, yours, current, revision}`",
    ),
    "proposition.resolve": Command(_resolve, Resolve, who=_WRITER, answer="`proposition`"),
    "proposition.remove": Command(_remove, OnProposition, who=_WRITER, answer="`proposition_id`"),
    "proposition.suggest": Command(
        _suggest,
        Suggest,
        who="citizen, `propose`, only while suggestions are allowed (else `forbidden`)",
        answer="`suggestion_id`",
    ),
    "proposition.decide": Command(_decide, Decide, who=_WRITER, answer="`proposition`"),
    "propositions.allow_suggestions": Command(
        _allow,
        Allow,
        who="facilitator, any phase but `closed`",
        answer="`participants_may_suggest`",
    ),
    "summary.name_consent": Command(
        _consent, Consent, who="citizen, any phase but `closed`", answer="`name_in_summary`"
    ),
}
