"""Room commands about ideas: check the frame's fields, call the service, answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workshops.actors import Actor

from . import services
from .serializers import idea_as_dict


def _post(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea, created = services.idea_post(
        actor=actor, text=frame.get("text"), client_key=frame.get("client_key")
    )
    return {"idea": idea_as_dict(idea), "created": created, "client_key": idea.client_key}


def _edit(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_edit(actor=actor, idea_id=frame.get("idea_id"), text=frame.get("text"))
    return {"idea": idea_as_dict(idea)}


def _withdraw(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_withdraw(actor=actor, idea_id=frame.get("idea_id"))
    return {"idea": idea_as_dict(idea)}


COMMANDS: dict[str, Callable[[Actor, dict[str, Any]], dict[str, Any]]] = {
    "idea.post": _post,
    "idea.edit": _edit,
    "idea.withdraw": _withdraw,
}
