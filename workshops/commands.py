"""What a client may ask over the WebSocket, each handed to its service.

The consumer passes every parsed frame here; this module finds the command in the
room's registry (workshops.registry, where every app adds its own), checks the
frame's fields, calls the service (which checks permission and phase), and answers.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from . import registry, services
from .actors import Actor, actor_refresh
from .errors import ActionRefused
from .serializers import participant_as_dict, workshop_as_dict


def _rename(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    participant = services.participant_rename(actor=actor, display_name=frame.get("display_name"))
    return {"participant": participant_as_dict(participant)}


def _duration(frame: dict[str, Any]) -> int | None:
    value = frame.get("duration_seconds")
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ActionRefused("invalid", _("The timer must be a whole number of seconds."))


def _change_phase(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    phase = frame.get("phase")
    if not isinstance(phase, str):
        raise ActionRefused("invalid", _("That phase is not available."))
    workshop = services.workshop_change_phase(
        actor=actor, phase=phase, duration_seconds=_duration(frame)
    )
    return {"workshop": workshop_as_dict(workshop)}


def _set_timer(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    workshop = services.workshop_set_timer(actor=actor, duration_seconds=_duration(frame))
    return {"workshop": workshop_as_dict(workshop)}


# The room's own commands; WorkshopsConfig.ready() registers them like any app's.
COMMANDS: dict[str, registry.Command] = {
    "participant.rename": registry.Command(_rename),
    "phase.change": registry.Command(_change_phase),
    "timer.set": registry.Command(_set_timer),
}


def command_handle(
    *, actor: Actor, frame: dict[str, Any], language: str | None = None
) -> tuple[Actor, dict[str, Any]]:
    """Carry out one client frame; returns the refreshed actor and the reply to send."""
    request_id = frame.get("request_id")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > 64):
        return actor, error_reply(None, "invalid", _("The request id must be a short string."))
    command = registry.COMMANDS.get(frame.get("type"))  # type: ignore[arg-type]
    if command is None:
        return actor, error_reply(request_id, "unknown_type", _("Unknown message type."))
    # Permission is checked against the room as it is now, not as it was at connect.
    actor = actor_refresh(actor)
    # Messages go back in the language of the person who asked (workshops.languages),
    # or the room's, whatever the server's default.
    with translation.override(language or actor.workshop.language):
        try:
            data = command.handle(actor, frame)
        except ActionRefused as refused:
            return actor, error_reply(request_id, refused.code, refused.message)
    return actor, {"type": "ack", "request_id": request_id, "data": data}


def error_reply(request_id: str | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "request_id": request_id, "code": code, "message": message}
