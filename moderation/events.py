"""The events moderation sends to the room; shapes in docs/protocol.md.

`review` is the facilitators' view of an idea (its words even when held or hidden);
where the whole room hears an event, everyone else gets `review: null`.
"""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {
    # Facilitators only, or (flags reached the threshold) the wall loses it too.
    "idea.held": frozenset({"idea", "review"}),
    # Facilitators only: a flag below the threshold.
    "idea.flagged": frozenset({"idea", "review"}),
    "idea.hidden": frozenset({"idea", "review"}),
    "idea.deleted": frozenset({"idea_id"}),
    "moderation.settings_changed": frozenset({"settings"}),
    "participant.restricted": frozenset({"participant", "restriction"}),
    "participant.erased": frozenset({"participant"}),
}
