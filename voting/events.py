"""The events voting sends to the room; shapes in docs/protocol.md."""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {}
