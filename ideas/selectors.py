from __future__ import annotations

from django.db.models import QuerySet

from workshops.models import Workshop

from .models import Idea


def ideas_on_wall(*, workshop: Workshop) -> QuerySet[Idea]:
    """The ideas everyone in the room sees, oldest first."""
    return (
        Idea.objects.filter(workshop=workshop, status=Idea.Status.PUBLISHED)
        .select_related("author")
        .order_by("created_at", "pk")
    )
