"""What a client may ask over the WebSocket, each handed to its service.

The consumer passes every parsed frame here; this module finds the command in the
room's registry (workshops.registry, where every app adds its own), checks the
frame's fields, calls the service (which checks permission and phase), and answers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registry, services
from .actors import Actor, actor_acting, actor_current
from .errors import ActionRefused
from .serializers import participant_as_dict, workshop_as_dict


class Rename(registry.Fields):
    display_name: Annotated[
        str, msgspec.Meta(description="1-40 characters after cleaning; one line")
    ]


class Join(registry.Fields):
    display_name: Annotated[
        str,
        msgspec.Meta(
            description="at most 40 characters after cleaning; one line; empty or left out: "
            "a friendly generated name"
        ),
    ] = ""


class PhaseChange(registry.Fields):
    phase: Annotated[
        str,
        msgspec.Meta(
            description="`lobby`, `ideate`, `group`, `vote`, `results`, `propose` or `closed`"
        ),
    ]
    duration_seconds: Annotated[
        int | None, msgspec.Meta(description="the phase's timer, 1-28800 seconds; `null` for none")
    ] = None


class TimerSet(registry.Fields):
    duration_seconds: Annotated[
        int | None,
        msgspec.Meta(description="1-28800 seconds; `null` (or left out) clears the timer"),
    ] = None


def _rename(actor: Actor, message: dict[str, Any]) -> dict[str, Any]:
    participant = services.participant_rename(actor=actor, display_name=message["display_name"])
    return {"participant": participant_as_dict(participant)}


def _join(actor: Actor, message: dict[str, Any]) -> dict[str, Any]:
    # Only a phone already in the room is answered here: the consumer joins the others
    # itself (join_handle), as only it holds their session.
    participant = services.participant_join_again(actor=actor, display_name=message["display_name"])
    return {"participant": participant_as_dict(participant)}


def _change_phase(actor: Actor, message: dict[str, Any]) -> dict[str, Any]:
    workshop = services.workshop_change_phase(
        actor=actor, phase=message["phase"], duration_seconds=message["duration_seconds"]
    )
    return {"workshop": workshop_as_dict(workshop)}


def _set_timer(actor: Actor, message: dict[str, Any]) -> dict[str, Any]:
    workshop = services.workshop_set_timer(
        actor=actor, duration_seconds=message["duration_seconds"]
    )
    return {"workshop": workshop_as_dict(workshop)}


# The room's own commands; WorkshopsConfig.ready() registers them like any app's.
COMMANDS: dict[str, registry.Command] = {
    "join": registry.Command(
        _join,
        Join,
        who="a phone that has not joined, on a socket opened with `join=1`, while the room "
        "is open; a phone already in the room is answered who it is",
        answer="`participant`; then, once, the room's `snapshot` for the new participant",
    ),
    "participant.rename": registry.Command(
        _rename, Rename, who="citizen, lobby or ideate", answer="`participant`"
    ),
    "phase.change": registry.Command(
        _change_phase,
        PhaseChange,
        who="facilitator, not closed (closed is final: `wrong_phase`)",
        answer="`workshop`",
    ),
    "timer.set": registry.Command(
        _set_timer, TimerSet, who="facilitator, not closed", answer="`workshop`"
    ),
}


def command_handle(
    *, actor: Actor, frame: dict[str, Any], language: str | None = None
) -> tuple[Actor, dict[str, Any]]:
    """Carry out one client frame; returns the actor to keep and the reply to send."""
    request_id = frame.get("request_id")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > 64):
        return actor, error_reply(None, "invalid", _("The request id must be a short string."))
    command = registry.COMMANDS.get(frame.get("type"))  # type: ignore[arg-type]
    if command is None:
        return actor, error_reply(request_id, "unknown_type", _("Unknown message type."))
    try:
        message = fields_checked(command, frame)
    except ActionRefused as refused:
        return actor, error_reply(request_id, refused.code, refused.message)
    # Permission is checked against the room as it is now, not as it was at connect:
    # the kept actor unless the room changed it since (actors.actor_current), or read
    # by a batched command's service under its lock.
    acting = actor
    if not command.batched:
        actor = actor_current(actor)
        acting = actor_acting(actor)
    # Messages go back in the language of the person who asked (workshops.languages),
    # or the room's, whatever the server's default.
    with translation.override(language or actor.workshop.language):
        try:
            data = command.handle(acting, message)
        except ActionRefused as refused:
            return actor, error_reply(request_id, refused.code, refused.message)
    return actor, {"type": "ack", "request_id": request_id, "data": data}


def join_handle(
    *, actor: Actor, session: Any, frame: dict[str, Any], language: str | None = None
) -> tuple[Actor, dict[str, Any]]:
    """Join the socket's phone to the room (`join`); returns the actor to keep and the reply.

    For a socket whose person is not a participant of the room: the phone's session
    (which only the socket holds) is what makes it the same participant on every page
    and socket afterwards (services.participant_join_session).
    """
    request_id = frame.get("request_id")
    with translation.override(language or actor.workshop.language):
        try:
            message = fields_checked(COMMANDS["join"], frame)
            joined = services.participant_join_session(
                actor=actor, session=session, display_name=message["display_name"]
            )
        except ActionRefused as refused:
            return actor, error_reply(request_id, refused.code, refused.message)
    if joined.participant is None:  # the service answers with a citizen or refuses
        raise ValueError("a join must answer with a participant")
    data = {"participant": participant_as_dict(joined.participant)}
    return joined, {"type": "ack", "request_id": request_id, "data": data}


def commands_together(
    command: registry.Command, items: list[tuple[Actor, dict[str, Any], str | None]]
) -> list[dict[str, Any]]:
    """Carry out many frames of one batched command at once: a reply for each, in order.

    Precondition: `command.together` is set; inside the batch's transaction.
    """
    together = command.together
    if together is None:
        raise ValueError("this command is not carried out together with others")
    replies: list[dict[str, Any] | None] = [None] * len(items)
    prepared: list[tuple[int, registry.Together]] = []
    for index, (actor, frame, language) in enumerate(items):
        try:
            with translation.override(language or actor.workshop.language):
                message = fields_checked(command, frame)
        except ActionRefused as refused:
            replies[index] = error_reply(frame.get("request_id"), refused.code, refused.message)
            continue
        prepared.append((index, registry.Together(actor, message, language)))
    outcomes = together([item for _index, item in prepared]) if prepared else []
    for (index, _item), outcome in zip(prepared, outcomes, strict=True):
        request_id = items[index][1].get("request_id")
        if isinstance(outcome, ActionRefused):
            replies[index] = error_reply(request_id, outcome.code, outcome.message)
        else:
            replies[index] = {"type": "ack", "request_id": request_id, "data": outcome}
    return [reply for reply in replies if reply is not None]


# Every frame carries these beside the command's own fields.
_ENVELOPE = frozenset({"type", "request_id"})
_PROBLEM_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD_NAMED = re.compile(r"field `(?P<field>[^`]*)`")


def fields_checked(command: registry.Command, frame: dict[str, Any]) -> dict[str, Any]:
    """The frame's fields as the command declares them, or ActionRefused("invalid").

    Unknown, missing and wrong-typed fields are refused here, before any service runs;
    numbers are never read from text, nor true and false as numbers (msgspec's strict mode).
    """
    fields = {name: value for name, value in frame.items() if name not in _ENVELOPE}
    try:
        checked = msgspec.convert(fields, command.fields)
    except msgspec.ValidationError as error:
        raise ActionRefused("invalid", _field_problem(str(error))) from None
    return msgspec.structs.asdict(checked)


def _field_problem(text: str) -> str:
    """A sentence naming the field msgspec found wrong, and what it takes."""
    match = _PROBLEM_AT.match(text)
    problem = match.group("problem") if match else text
    path = (match.group("path") or "").lstrip(".") if match else ""
    named = _FIELD_NAMED.search(problem)
    if problem.startswith("Object contains unknown field") and named:
        return _("This command takes no field “%(field)s”.") % {"field": named.group("field")}
    if problem.startswith("Object missing required field") and named:
        return _("This command needs the field “%(field)s”.") % {"field": named.group("field")}
    if problem.startswith("Expected `") and path:
        kinds = [
            _KINDS.get(kind.strip(), kind.strip()) for kind in problem.split("`")[1].split("|")
        ]
        return _("The field “%(field)s” must be %(kinds)s.") % {
            "field": path,
            "kinds": _(" or ").join(str(kind) for kind in kinds),
        }
    return _("This command's fields are not valid: %(problem)s") % {"problem": text}


# msgspec's names for JSON types, as a person reads them.
_KINDS = {
    "int": gettext_lazy("a whole number"),
    "float": gettext_lazy("a number"),
    "str": gettext_lazy("text"),
    "bool": gettext_lazy("true or false"),
    "array": gettext_lazy("a list"),
    "object": gettext_lazy("an object"),
    "null": "null",
}


def error_reply(request_id: str | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "request_id": request_id, "code": code, "message": message}
