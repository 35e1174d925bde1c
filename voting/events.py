"""The events voting sends to the room; shapes in docs/protocol.md."""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {
    # To everyone: the rules changed (and with them, perhaps, every ballot was cleared).
    "voting.configured": frozenset({"ballot"}),
    # To everyone: the facilitator showed the tallies to the room.
    "tallies.revealed": frozenset({"ballot", "tallies", "as_of"}),
    # To facilitators only while tallies are hidden, to everyone once they are public.
    "votes.tallied": frozenset({"tallies", "revealed", "as_of"}),
    # To one participant's own connections: their marks and what they have left.
    "ballot.updated": frozenset({"votes", "remaining", "revision"}),
}
