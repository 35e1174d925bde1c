"""The events moderation sends to the room; shapes in docs/protocol.md.

`review` is the facilitators' view of an idea (its words even when held or hidden);
where the whole room hears an event, everyone else gets `review: null`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workshops.registry import Event


class IdeaHeld(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any
    review: Any


class IdeaFlagged(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any
    review: Any


class IdeaHidden(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any
    review: Any


class IdeaDeleted(msgspec.Struct, forbid_unknown_fields=True):
    idea_id: Any


class ModerationSettingsChanged(msgspec.Struct, forbid_unknown_fields=True):
    settings: Any


class ParticipantRestricted(msgspec.Struct, forbid_unknown_fields=True):
    participant: Any
    restriction: Any


class ParticipantErased(msgspec.Struct, forbid_unknown_fields=True):
    participant: Any


EVENTS: dict[str, Event] = {
    # Facilitators only, or (flags reached the threshold) the wall loses it too.
    "idea.held": Event(IdeaHeld),
    # Facilitators only: a flag below the threshold.
    "idea.flagged": Event(IdeaFlagged),
    "idea.hidden": Event(IdeaHidden),
    "idea.deleted": Event(IdeaDeleted),
    "moderation.settings_changed": Event(ModerationSettingsChanged),
    "participant.restricted": Event(ParticipantRestricted),
    "participant.erased": Event(ParticipantErased),
}
