"""Labels on the wire in each reader's language.

An event is published once, in whatever language its writer's request spoke, and read
on many screens in several languages. Each app declares here how to write the labels
of its events again (a phase's name, a voting method's) from the values beside them;
the room's hub does so once per language among its sockets (workshops.hub.Frames).
Citizens' own words are never touched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation

# Rewrites the labels in an event's data, in place, in the active language.
Relabel = Callable[[dict[str, Any]], None]

_RELABELS: dict[str, list[Relabel]] = {}


def labels_register(event_types: Iterable[str], relabel: Relabel) -> None:
    """Declare that these events carry labels `relabel` writes again (from AppConfig.ready)."""
    for event_type in event_types:
        relabels = _RELABELS.setdefault(event_type, [])
        if relabel not in relabels:
            relabels.append(relabel)


def event_in_language(event: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The event with its labels in this language; the same object when it has none."""
    relabels = _RELABELS.get(event.get("type", ""))
    if not relabels or language is None:
        return event
    data = copy.deepcopy(event["data"])
    with translation.override(language):
        for relabel in relabels:
            relabel(data)
    return {**event, "data": data}
