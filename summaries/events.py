"""The events value propositions send to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.registry import Data, Event

Proposition = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Proposition"})]


class PropositionStarted(Data):
    """The facilitator carried a cluster or an idea forward; the room starts writing."""

    proposition: Proposition


class PropositionEdited(Data):
    proposition: Proposition


class PropositionRemoved(Data):
    proposition_id: int


class PropositionSuggested(Data):
    """A participant suggested text."""

    proposition: Proposition


class PropositionsPermissionChanged(Data):
    participants_may_suggest: bool


EVENTS: dict[str, Event] = {
    "proposition.started": Event(
        PropositionStarted, audience="everyone (facilitators get alternatives and suggestions)"
    ),
    "proposition.edited": Event(
        PropositionEdited,
        audience=(
            "everyone (as above); after an edit, a kept conflict, a resolve or a decided suggestion"
        ),
    ),
    "proposition.removed": Event(PropositionRemoved),
    "proposition.suggested": Event(PropositionSuggested, audience="facilitators only"),
    "propositions.permission_changed": Event(PropositionsPermissionChanged),
}
