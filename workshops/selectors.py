from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from . import registry
from .actors import Actor
from .codes import looks_like_join_code, normalize_join_code
from .models import Participant, Workshop
from .phases import Role
from .serializers import server_time, workshop_as_dict


def workshop_by_code(*, code: str) -> Workshop | None:
    normalized = normalize_join_code(code)
    if not looks_like_join_code(normalized):
        return None
    return Workshop.objects.filter(join_code=normalized).first()


def workshops_facilitated_by(*, user: Any) -> QuerySet[Workshop]:
    return Workshop.objects.filter(Q(owner=user) | Q(facilitators=user)).distinct()


def participant_count(*, workshop: Workshop) -> int:
    return Participant.objects.filter(workshop=workshop).count()


def room_snapshot(*, actor: Actor) -> dict[str, Any]:
    """Everything this person may see of the room right now; events then keep it current."""
    workshop = actor.workshop
    you: dict[str, Any] = {"role": actor.role.value, "participant_id": None, "display_name": ""}
    if actor.role is Role.CITIZEN and actor.participant is not None:
        you["participant_id"] = actor.participant.pk
        you["display_name"] = actor.participant.display_name
    snapshot = {
        "workshop": workshop_as_dict(workshop),
        "participant_count": participant_count(workshop=workshop),
        "you": you,
        "server_time": server_time(),
    }
    # Each app adds what it keeps of the room, filtered for this person (workshops.registry).
    for part in registry.SNAPSHOT_PARTS:
        snapshot.update(part(actor=actor))
    return snapshot
