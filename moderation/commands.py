"""Room commands about moderation: check the frame's fields, call the service, answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workshops.actors import Actor

COMMANDS: dict[str, Callable[[Actor, dict[str, Any]], dict[str, Any]]] = {}
