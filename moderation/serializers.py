"""The shapes moderation adds: the review of an idea for facilitators, settings, log lines."""

from __future__ import annotations

from typing import Any

from ideas.models import Idea
from workshops.models import Participant

from .models import Flag, ModerationAction, ModerationSettings


def review_as_dict(idea: Idea, *, hold: ModerationAction | None = None) -> dict[str, Any]:
    """What facilitators see of an idea beyond the wall: its words even when held or hidden."""
    flags = [flag for flag in idea.flags.all() if not flag.settled]
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.reason] = counts.get(flag.reason, 0) + 1
    original = getattr(idea, "original", None)
    return {
        "idea_id": idea.pk,
        "status": idea.status,
        "text": idea.text,
        "original_text": original.text if original is not None else None,
        "author_id": idea.author_id,
        "author_name": idea.author.display_name if idea.author else "",
        "hold_reason": hold.detail.get("rule", "") if hold is not None else "",
        "matched_words": hold.detail.get("words", []) if hold is not None else [],
        "flag_count": len(flags),
        "flag_reasons": counts,
    }


def settings_as_dict(moderation: ModerationSettings) -> dict[str, Any]:
    return {
        "mode": moderation.mode,
        "flag_threshold": moderation.flag_threshold,
        "word_list": moderation.word_list,
        "retention_days": moderation.retention_days,
    }


def restriction_as_dict(participant: Participant, kind: str) -> dict[str, Any]:
    return {"participant_id": participant.pk, "kind": kind}


def flag_reasons() -> list[dict[str, str]]:
    return [{"value": value, "label": str(label)} for value, label in Flag.Reason.choices]


def log_entry_as_dict(entry: ModerationAction) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.created_at.isoformat(),
        "kind": entry.kind,
        "kind_label": str(ModerationAction.Kind(entry.kind).label),
        "by": entry.facilitator_email,
        "idea_id": entry.idea_number,
        "participant_id": entry.participant_number,
        "reason": entry.reason,
        "detail": entry.detail,
    }
