"""The events value propositions send to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated

import msgspec

from workshops.registry import Data, Event, Shape, one_of


class Part(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    label: str
    text: str
    revision: int


class Alternative(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    field: str
    text: str
    based_on: int


class Suggestion(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    field: str
    text: str


# The shape of a value proposition, built by summaries.serializers.
class Proposition(Shape):
    id: int
    target_type: Annotated[str, msgspec.Meta(description=one_of(("cluster", "idea")))]
    target_id: Annotated[int, msgspec.Meta(description="the cluster's or the idea's id")]
    title: Annotated[str, msgspec.Meta(description="the cluster's name or the idea's text")]
    position: Annotated[int, msgspec.Meta(description="order in the room")]
    fields: Annotated[list[Part], msgspec.Meta(description="six, always in the order above")]
    alternatives: Annotated[
        list[Alternative],
        msgspec.Meta(description="facilitators only (else `[]`): unsettled conflicting texts"),
    ]
    suggestions: Annotated[
        list[Suggestion],
        msgspec.Meta(description="facilitators only (else `[]`): pending participant suggestions"),
    ]


SHAPES: dict[str, type[Shape]] = {"Proposition": Proposition}


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
