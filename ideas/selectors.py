from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from workshops.models import Workshop

from .models import Idea
from .serializers import idea_as_dict

if TYPE_CHECKING:
    from workshops.actors import Actor


def ideas_on_wall(*, workshop: Workshop) -> QuerySet[Idea]:
    """The ideas everyone in the room sees, oldest first."""
    return (
        Idea.objects.filter(workshop=workshop, status=Idea.Status.PUBLISHED)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The ideas part of the room's snapshot."""
    return {"ideas": [idea_as_dict(idea) for idea in ideas_on_wall(workshop=actor.workshop)]}
