from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from workshops.actors import require
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Action, Role
from workshops.room_cache import room_part

from .models import Cluster, ClusterSuggestion, Idea
from .serializers import cluster_as_dict, idea_as_dict, suggestion_as_dict
from .suggestions import SimilarityIndex

if TYPE_CHECKING:
    from workshops.actors import Actor

SIMILAR_LIMIT = 3
# Longer text than an idea may have is not worth comparing.
SIMILAR_MAX_QUERY = 1000


def ideas_on_wall(*, workshop: Workshop) -> QuerySet[Idea]:
    """The ideas everyone in the room sees, oldest first."""
    merged = Idea.objects.filter(status=Idea.Status.MERGED).select_related("author")
    return (
        Idea.objects.filter(workshop=workshop, status=Idea.Status.PUBLISHED)
        .select_related("author")
        .prefetch_related("tags", Prefetch("merged_ideas", queryset=merged))  # type: ignore[misc]
        .order_by("created_at", "pk")
    )


def clusters_of(*, workshop: Workshop) -> QuerySet[Cluster]:
    """The board's clusters in their order."""
    return (
        Cluster.objects.filter(workshop=workshop)
        .prefetch_related("tags")  # type: ignore[misc]
        .order_by("position", "pk")
    )


def pending_suggestions(*, workshop: Workshop) -> QuerySet[ClusterSuggestion]:
    return (
        ClusterSuggestion.objects.filter(workshop=workshop, status=ClusterSuggestion.Status.PENDING)
        .prefetch_related("ideas")
        .order_by("position", "pk")
    )


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The ideas part of the room's snapshot: the wall, its clusters and who may group."""
    workshop = actor.workshop

    def read_board() -> dict[str, Any]:
        return {
            "ideas": [idea_as_dict(idea) for idea in ideas_on_wall(workshop=workshop)],
            "clusters": [cluster_as_dict(cluster) for cluster in clusters_of(workshop=workshop)],
        }

    board = room_part(workshop_id=workshop.pk, role=actor.role, name="board", read=read_board)
    part: dict[str, Any] = {
        **board,
        "grouping": {"participants_may_group": workshop.participants_may_group},
    }
    # Proposals are the facilitators' to weigh; the room sees only what they accept.
    if actor.role is Role.FACILITATOR:
        part["suggestions"] = [
            suggestion_as_dict(suggestion) for suggestion in pending_suggestions(workshop=workshop)
        ]
    return part


# Each keystroke pause asks again; the wall rarely changes between two of them, so the
# index is kept per workshop and rebuilt only when an idea on the wall changed.
_INDEX_CACHE: OrderedDict[tuple[int, int], SimilarityIndex] = OrderedDict()
_INDEX_CACHE_SIZE = 32
_INDEX_LOCK = Lock()


def _index_for(workshop: Workshop, rows: list[tuple[int, int, str]]) -> SimilarityIndex:
    # The text is part of the key: ids and revisions alone repeat after a database reset.
    key = (workshop.pk, hash(tuple(rows)))
    with _INDEX_LOCK:
        index = _INDEX_CACHE.get(key)
        if index is not None:
            _INDEX_CACHE.move_to_end(key)
            return index
    index = SimilarityIndex.build([text for _pk, _revision, text in rows])
    with _INDEX_LOCK:
        _INDEX_CACHE[key] = index
        while len(_INDEX_CACHE) > _INDEX_CACHE_SIZE:
            _INDEX_CACHE.popitem(last=False)
    return index


def ideas_similar_to(*, actor: Actor, text: object) -> list[tuple[Idea, float]]:
    """Up to three ideas on the wall that say nearly what `text` says, best first."""
    # A read, but only for those who are writing or sorting ideas right now.
    require(actor, Action.FIND_SIMILAR_IDEAS)
    if not isinstance(text, str):
        raise ActionRefused("invalid", _("Send the text to compare as a string."))
    if not text.strip():
        return []
    rows = list(
        Idea.objects.filter(workshop=actor.workshop, status=Idea.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "revision", "text")
    )
    index = _index_for(actor.workshop, rows)
    found = index.similar(text[:SIMILAR_MAX_QUERY], limit=SIMILAR_LIMIT)
    if not found:
        return []
    by_pk = {
        idea.pk: idea
        for idea in ideas_on_wall(workshop=actor.workshop).filter(
            pk__in=[rows[i][0] for i, _score in found]
        )
    }
    return [(by_pk[rows[i][0]], score) for i, score in found if rows[i][0] in by_pk]
