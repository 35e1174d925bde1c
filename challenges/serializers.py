"""One shape per thing: the same dict in the live events, the page's data and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Challenge, Proposal


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def challenge_as_dict(challenge: Challenge) -> dict[str, Any]:
    return {
        "id": challenge.pk,
        "title": challenge.title,
        "question": challenge.question,
        "context": challenge.context,
        "language": challenge.language,
        "opens_at": _time(challenge.opens_at),
        "closes_at": _time(challenge.closes_at),
        "threshold": challenge.threshold,
        "threshold_kind": challenge.threshold_kind,
        "threshold_value": challenge.threshold_value,
        "cosponsors_needed": challenge.cosponsors_needed,
        "moderation": challenge.moderation,
        "supporters": challenge.supporters,
        "residence_required": challenge.residence_required,
        "administration": challenge.administration.name,
        "url": challenge.get_absolute_url(),
    }


def proposal_as_dict(proposal: Proposal) -> dict[str, Any]:
    """A public proposal (never its author's key, co-sponsor link or photo bytes)."""
    return {
        "id": proposal.pk,
        "challenge": proposal.challenge_id,
        "title": proposal.title,
        "text": proposal.text,
        "author_name": proposal.author_name,
        "status": proposal.status,
        "status_display": str(proposal.get_status_display()),
        "support_count": proposal.support_count,
        "revision": proposal.revision,
        "threshold": proposal.challenge.threshold,
        "threshold_reached_at": _time(proposal.threshold_reached_at),
        "forwarded_at": _time(proposal.forwarded_at),
        "expired_at": _time(proposal.expired_at),
        "published_at": _time(proposal.published_at),
        "has_photo": bool(proposal.photo_type),
        "source_workshop": proposal.source_workshop_id,
        "url": proposal.get_absolute_url(),
    }


def support_change_as_dict(proposal: Proposal) -> dict[str, Any]:
    """What every open page needs when a proposal's count moves: small, sent thousands of times."""
    return {
        "id": proposal.pk,
        "support_count": proposal.support_count,
        "revision": proposal.revision,
        "threshold": proposal.challenge.threshold,
        "status": proposal.status,
        "threshold_reached_at": _time(proposal.threshold_reached_at),
    }
