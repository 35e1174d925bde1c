"""Reads for moderation: settings, restrictions, the review queue and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from ideas.models import Idea
from voting.models import Vote
from workshops.models import Participant, Workshop
from workshops.phases import Role
from workshops.room_cache import room_part

from .models import IdeaOriginal, ModerationAction, ModerationSettings, ParticipantRestriction
from .serializers import flag_reasons, restriction_as_dict, review_as_dict, settings_as_dict
from .wordlists import default_word_list

if TYPE_CHECKING:
    from workshops.actors import Actor


def moderation_settings_for(*, workshop: Workshop) -> ModerationSettings:
    """The workshop's settings; a workshop nobody configured gets the defaults (unsaved)."""
    found = ModerationSettings.objects.filter(workshop=workshop).first()
    if found is not None:
        return found
    return ModerationSettings(workshop=workshop, word_list=default_word_list(workshop.language))


def last_holds(*, workshop: Workshop, idea_ids: list[int]) -> dict[int, ModerationAction]:
    """The latest hold of each idea: why it waits for review."""
    holds: dict[int, ModerationAction] = {}
    entries = ModerationAction.objects.filter(
        workshop=workshop, kind=ModerationAction.Kind.HOLD, idea_number__in=idea_ids
    )
    for entry in entries.order_by("created_at", "pk"):
        if entry.idea_number is not None:
            holds[entry.idea_number] = entry
    return holds


def review_of(idea: Idea) -> dict[str, Any]:
    """One idea's review, read fresh."""
    fresh = (
        Idea.objects.select_related("author", "original").prefetch_related("flags").get(pk=idea.pk)
    )
    holds = last_holds(workshop=fresh.workshop, idea_ids=[fresh.pk])
    return review_as_dict(fresh, hold=holds.get(fresh.pk))


def ideas_for_review(*, workshop: Workshop) -> QuerySet[Idea]:
    """Held and hidden ideas, and published ones someone flagged, oldest first."""
    open_flags = Count("flags", filter=Q(flags__settled=False))
    return (
        Idea.objects.filter(workshop=workshop)
        .annotate(open_flags=open_flags)
        .filter(
            Q(status__in=[Idea.Status.HELD, Idea.Status.HIDDEN])
            | Q(status=Idea.Status.PUBLISHED, open_flags__gt=0)
        )
        .select_related("author", "original")
        .prefetch_related("flags")
        .order_by("created_at", "pk")
    )


def review_queue(*, workshop: Workshop) -> list[dict[str, Any]]:
    ideas = list(ideas_for_review(workshop=workshop))
    holds = last_holds(workshop=workshop, idea_ids=[idea.pk for idea in ideas])
    return [review_as_dict(idea, hold=holds.get(idea.pk)) for idea in ideas]


def restriction_of(participant: Participant) -> str:
    """'' for a participant in good standing, else 'muted', 'removed' or 'erased'.

    The room reads it for every action (workshops.actors), with the participant
    fetched together with its restriction.
    """
    try:
        return str(participant.restriction.kind)
    except ParticipantRestriction.DoesNotExist:
        return ""


def restrictions(*, workshop: Workshop) -> list[dict[str, Any]]:
    """Participants who are muted or removed (not those who left by erasing their data)."""
    found = (
        ParticipantRestriction.objects.filter(participant__workshop=workshop)
        .exclude(kind=ParticipantRestriction.Kind.ERASED)
        .select_related("participant")
        .order_by("created_at")
    )
    return [
        {**restriction_as_dict(r.participant, r.kind), "display_name": r.participant.display_name}
        for r in found
    ]


def moderation_log(*, workshop: Workshop) -> QuerySet[ModerationAction]:
    return ModerationAction.objects.filter(workshop=workshop).order_by("created_at", "pk")


# What other apps keep about a participant, for the download: each part(participant=)
# returns its own keys. An app this one does not import (summaries) appends its part
# here from its AppConfig.ready(), as with the room's snapshot.
PERSONAL_DATA_PARTS: list[Callable[..., dict[str, Any]]] = []


def participant_of_session(*, workshop: Workshop, session: Any) -> Participant | None:
    """The participant this phone's session joined as, removed or muted or not.

    A removed participant has no role in the room any more, but what is kept about
    them is still theirs to download and erase (GDPR), so this does not ask the room.
    """
    from workshops.actors import PARTICIPANTS_SESSION_KEY

    key = (session.get(PARTICIPANTS_SESSION_KEY) or {}).get(str(workshop.pk))
    if not key:
        return None
    return (
        Participant.objects.select_related("workshop")
        .filter(workshop=workshop, key=key)
        .exclude(restriction__kind=ParticipantRestriction.Kind.ERASED)
        .first()
    )


def participant_data(*, participant: Participant) -> dict[str, Any]:
    """Everything the platform keeps about this participant, for them to download."""
    ideas = Idea.objects.filter(author=participant).order_by("created_at", "pk")
    originals = dict(
        IdeaOriginal.objects.filter(idea__author=participant).values_list("idea_id", "text")
    )
    restriction = ParticipantRestriction.objects.filter(participant=participant).first()
    data = {
        "workshop": {
            "title": participant.workshop.title,
            "question": participant.workshop.question,
            "code": participant.workshop.join_code,
        },
        "participant": {
            "id": participant.pk,
            "display_name": participant.display_name,
            "joined_at": participant.joined_at.isoformat(),
        },
        "ideas": [
            {
                "id": idea.pk,
                "text": idea.text,
                "status": idea.status,
                "created_at": idea.created_at.isoformat(),
                "updated_at": idea.updated_at.isoformat(),
                # The author's own words, when a facilitator reworded the idea.
                "original_text": originals.get(idea.pk),
            }
            for idea in ideas
        ],
        "flags": [
            {"idea_id": flag.idea_id, "reason": flag.reason, "at": flag.created_at.isoformat()}
            for flag in participant.flags.order_by("created_at")
        ],
        "votes": [
            {
                "idea_id": vote.idea_id,
                "cluster_id": vote.cluster_id,
                "weight": vote.weight,
                "rank": vote.rank,
                "at": vote.updated_at.isoformat(),
            }
            for vote in Vote.objects.filter(participant=participant).order_by("pk")
        ],
        "restriction": (
            {"kind": restriction.kind, "since": restriction.created_at.isoformat()}
            if restriction is not None
            else None
        ),
        # What facilitators did about this participant, as the audit log keeps it.
        "moderation": [
            {"action": entry.kind, "reason": entry.reason, "at": entry.created_at.isoformat()}
            for entry in ModerationAction.objects.filter(
                workshop=participant.workshop, participant_number=participant.pk
            ).order_by("created_at", "pk")
        ],
    }
    for part in PERSONAL_DATA_PARTS:
        data.update(part(participant=participant))
    return data


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The moderation part of the room's snapshot: the queue for facilitators only."""
    part: dict[str, Any] = {"flag_reasons": flag_reasons(), "restriction": actor.restriction}
    if actor.role is Role.FACILITATOR:
        workshop = actor.workshop
        part["settings"] = settings_as_dict(moderation_settings_for(workshop=workshop))
        part["queue"] = review_queue(workshop=workshop)
        part["restricted"] = restrictions(workshop=workshop)
    elif actor.role is Role.CITIZEN and actor.participant is not None:
        # A participant created in this request has flagged nothing and has nothing
        # held (workshops.actors): their snapshot asks for neither.
        fresh = actor.just_joined
        part["flagged_by_you"] = (
            []
            if fresh
            else list(actor.participant.flags.values_list("idea_id", flat=True).order_by("idea_id"))
        )
        workshop = actor.workshop
        part["premoderated"] = room_part(
            workshop_id=workshop.pk,
            role=actor.role,
            name="premoderated",
            read=lambda: (
                moderation_settings_for(workshop=workshop).mode == ModerationSettings.Mode.PRE
            ),
        )
        # Their own words are theirs to see while they wait; nobody else's are.
        part["your_held"] = (
            []
            if fresh
            else [
                {"id": idea.pk, "text": idea.text}
                for idea in Idea.objects.filter(
                    author=actor.participant, status=Idea.Status.HELD
                ).order_by("created_at", "pk")
            ]
        )
    return {"moderation": part}
