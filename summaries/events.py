"""The events value propositions send to the room; shapes in docs/protocol.md."""

from __future__ import annotations

from typing import Any

import msgspec

from workshops.registry import Event


class PropositionStarted(msgspec.Struct, forbid_unknown_fields=True):
    proposition: Any


class PropositionEdited(msgspec.Struct, forbid_unknown_fields=True):
    proposition: Any


class PropositionRemoved(msgspec.Struct, forbid_unknown_fields=True):
    proposition_id: Any


class PropositionSuggested(msgspec.Struct, forbid_unknown_fields=True):
    proposition: Any


class PropositionsPermissionChanged(msgspec.Struct, forbid_unknown_fields=True):
    participants_may_suggest: Any


EVENTS: dict[str, Event] = {
    # The facilitator carried a cluster or an idea forward; the room starts writing.
    "proposition.started": Event(PropositionStarted),
    # A field changed, a conflict was kept or settled, or a suggestion was taken in.
    # Facilitators get the same shape with the kept conflicts and pending suggestions.
    "proposition.edited": Event(PropositionEdited),
    "proposition.removed": Event(PropositionRemoved),
    # Facilitators only: a participant suggested text.
    "proposition.suggested": Event(PropositionSuggested),
    "propositions.permission_changed": Event(PropositionsPermissionChanged),
}
