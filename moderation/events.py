"""The events moderation sends to the room: each one's data, declared once.

`review` is the facilitators' view of an idea (its words even when held or hidden);
where the whole room hears an event, everyone else gets `review: null`.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from ideas.events import Idea
from workshops.events import ParticipantShape
from workshops.registry import Data, Event, Shape, one_of

from .models import ModerationSettings as SettingsModel
from .models import ParticipantRestriction
from .services import FLAG_THRESHOLD_RANGE, RETENTION_DAYS_RANGE


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


# Built by moderation.serializers.settings_as_dict: the event, the ack and the snapshot.
class ModerationSettings(Shape):
    mode: Annotated[
        str,
        msgspec.Meta(
            description=f"{one_of(SettingsModel.Mode.values)}: `post` shows ideas at once and "
            "can hide them, `pre` holds every idea until a facilitator approves it"
        ),
    ]
    flag_threshold: Annotated[
        int,
        msgspec.Meta(
            description="open flags ({}-{}) after which a published idea is held for review".format(
                *FLAG_THRESHOLD_RANGE
            )
        ),
    ]
    word_list: Annotated[
        str,
        msgspec.Meta(
            description="one entry a line; `word*` matches words starting with `word`; a "
            "match holds the idea for review"
        ),
    ]
    retention_days: Annotated[
        int,
        msgspec.Meta(
            description="days ({}-{}) after the workshop's creation when names and session "
            "links are erased".format(*RETENTION_DAYS_RANGE)
        ),
    ]


# Built by moderation.serializers.restriction_as_dict.
class Restriction(Shape):
    participant_id: int
    kind: Annotated[
        str,
        msgspec.Meta(
            description=one_of(
                [ParticipantRestriction.Kind.MUTED.value, ParticipantRestriction.Kind.REMOVED.value]
            )
            + ', or `""` when unmuted'
        ),
    ]


SHAPES: dict[str, type[Shape]] = {
    "Review": Review,
    "ModerationSettings": ModerationSettings,
    "Restriction": Restriction,
}


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
    settings: ModerationSettings


class ParticipantRestricted(Data):
    participant: ParticipantShape
    restriction: Restriction


class ParticipantErased(Data):
    participant: Annotated[ParticipantShape, msgspec.Meta(description='with `display_name: ""`')]


EVENTS: dict[str, Event] = {
    "idea.held": Event(
        IdeaHeld,
        audience=(
            "facilitators only when a new idea is held or a facilitator rewords a held one; "
            "everyone (review `null`, text empty) when flags, or its author's new words "
            "matching the word list, take a published idea off the wall"
        ),
    ),
    "idea.flagged": Event(IdeaFlagged, audience="facilitators: a flag below the threshold"),
    "idea.hidden": Event(
        IdeaHidden,
        audience=(
            "everyone (review `null`, text empty) when a published idea leaves the wall; "
            "facilitators only when a held idea is hidden or a hidden one reworded"
        ),
    ),
    "idea.deleted": Event(IdeaDeleted),
    "moderation.settings_changed": Event(ModerationSettingsChanged, audience="facilitators"),
    "participant.restricted": Event(ParticipantRestricted, audience="facilitators"),
    "participant.erased": Event(
        ParticipantErased, audience="everyone: drop the name from their ideas"
    ),
}
