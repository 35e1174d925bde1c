"""The events ideas send to the room; shapes in docs/protocol.md."""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {
    "idea.posted": frozenset({"idea"}),
    "idea.edited": frozenset({"idea"}),
    "idea.withdrawn": frozenset({"idea"}),
}
