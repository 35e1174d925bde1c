"""The events moderation sends to the room: each one's data, declared once.

`review` is the facilitators' view of an idea (its words even when held or hidden);
where the whole room hears an event, everyone else gets `review: null`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.registry import Data, Event, Shape

Idea = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Idea"})]
Settings = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "the moderation settings"})]
Participant = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Participant"})]
Restriction = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "`{participant_id, kind}`"})]


# The facilitators' shape of an idea, built by moderation.serializers.review_as_dict.
class Review(Shape):
    idea_id: int
    status: Annotated[
        str,
        msgspec.Meta(description="`held`, `hidden` or `published` (flagged but still on the wall)"),
    ]
    text: Annotated[str, msgspec.Meta(description="the idea's words, also when held or hidden")]
    original_text: Annotated[
        str | None,
        msgspec.Meta(
            description="the author's words, kept when a facilitator first edited the idea"
        ),
    ]
    author_id: int | None
    author_name: str
    hold_reason: Annotated[
        str, msgspec.Meta(description='`pre_moderation`, `word_list`, `flags` or `""`')
    ]
    matched_words: Annotated[
        list[str], msgspec.Meta(description="the word-list entries that matched")
    ]
    flag_count: Annotated[int, msgspec.Meta(description="open flags")]
    flag_reasons: Annotated[dict[str, int], msgspec.Meta(description="open flags by reason")]


SHAPES: dict[str, type[Shape]] = {"Review": Review}


class IdeaHeld(Data):
    idea: Idea
    review: Review | None


class IdeaFlagged(Data):
    idea: Idea
    review: Review | None


class IdeaHidden(Data):
    idea: Idea
    review: Review | None


class IdeaDeleted(Data):
    idea_id: int


class ModerationSettingsChanged(Data):
    settings: Settings


class ParticipantRestricted(Data):
    participant: Participant
    restriction: Annotated[
        Restriction, msgspec.Meta(description='kind `muted`, `removed` or `""` when unmuted')
    ]


class ParticipantErased(Data):
    participant: Participant


EVENTS: dict[str, Event] = {
    "idea.held": Event(
        IdeaHeld,
        audience=(
            "facilitators only when a new idea is held; everyone (review `null`, "
            "text empty) when flags take a published idea off the wall"
        ),
    ),
    "idea.flagged": Event(IdeaFlagged, audience="facilitators: a flag below the threshold"),
    "idea.hidden": Event(
        IdeaHidden,
        audience="everyone (a published idea left the wall); facilitators only for a held idea",
    ),
    "idea.deleted": Event(IdeaDeleted),
    "moderation.settings_changed": Event(ModerationSettingsChanged, audience="facilitators"),
    "participant.restricted": Event(ParticipantRestricted, audience="facilitators"),
    "participant.erased": Event(
        ParticipantErased, audience="everyone: drop the name from their ideas"
    ),
}
