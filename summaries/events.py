"""The events value propositions send to the room; shapes in docs/protocol.md."""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {
    # The facilitator carried a cluster or an idea forward; the room starts writing.
    "proposition.started": frozenset({"proposition"}),
    # A field changed, a conflict was kept or settled, or a suggestion was taken in.
    # Facilitators get the same shape with the kept conflicts and pending suggestions.
    "proposition.edited": frozenset({"proposition"}),
    "proposition.removed": frozenset({"proposition_id"}),
    # Facilitators only: a participant suggested text.
    "proposition.suggested": frozenset({"proposition"}),
    "propositions.permission_changed": frozenset({"participants_may_suggest"}),
}
