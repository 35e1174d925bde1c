"""The events ideas send to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated

import msgspec

from workshops.registry import Data, Event, Shape, one_of

from .models import ClusterSuggestion
from .models import Idea as IdeaModel


class MergedIdea(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    text: str
    author_id: int | None
    author_name: str


# The shapes of ideas, built by ideas.serializers.
class Idea(Shape):
    id: int
    text: Annotated[str, msgspec.Meta(description="empty unless published")]
    status: Annotated[str, msgspec.Meta(description=one_of(IdeaModel.Status.values))]
    author_id: Annotated[int | None, msgspec.Meta(description="the participant who posted it")]
    author_name: Annotated[str, msgspec.Meta(description="their display name")]
    created_at: Annotated[str, msgspec.Meta(description="ISO 8601")]
    edited: Annotated[bool, msgspec.Meta(description="the words changed since it was posted")]
    revision: Annotated[
        int,
        msgspec.Meta(
            description="grows with every change to the idea (also sorting, tagging, merging)"
        ),
    ]
    cluster_id: Annotated[int | None, msgspec.Meta(description="the cluster it is sorted into")]
    merged_into: Annotated[
        int | None, msgspec.Meta(description="for a merged duplicate: the idea that holds it")
    ]
    merged: Annotated[
        list[MergedIdea],
        msgspec.Meta(description="the duplicates merged into this idea, oldest first"),
    ]
    tags: Annotated[list[str], msgspec.Meta(description="sorted, case-insensitively")]


class Cluster(Shape):
    id: int
    name: str
    position: Annotated[int, msgspec.Meta(description="the board shows clusters in this order")]
    tags: Annotated[list[str], msgspec.Meta(description="sorted, case-insensitively")]
    revision: Annotated[int, msgspec.Meta(description="grows with every change to the cluster")]


class Suggestion(Shape):
    id: int
    name: str
    status: Annotated[str, msgspec.Meta(description=one_of(ClusterSuggestion.Status.values))]
    idea_ids: list[int]
    cluster_id: Annotated[
        int | None, msgspec.Meta(description="the cluster made when it was accepted")
    ]


SHAPES: dict[str, type[Shape]] = {"Idea": Idea, "Cluster": Cluster, "Suggestion": Suggestion}


class IdeaPosted(Data):
    idea: Idea


class IdeaEdited(Data):
    idea: Idea


class IdeaWithdrawn(Data):
    idea: Annotated[Idea, msgspec.Meta(description='with `status: "withdrawn"` and empty `text`')]


class IdeaMoved(Data):
    idea: Idea


class IdeaMerged(Data):
    idea: Annotated[Idea, msgspec.Meta(description="the one that stays, with `merged`")]
    merged: Annotated[Idea, msgspec.Meta(description='the duplicate, `status: "merged"`')]


class IdeaTagged(Data):
    idea: Idea


class ClusterCreated(Data):
    cluster: Cluster
    ideas: Annotated[
        list[Idea],
        msgspec.Meta(description="the ideas put into it: an accepted suggestion's; else empty"),
    ]


class ClusterRenamed(Data):
    cluster: Cluster


class ClusterTagged(Data):
    cluster: Cluster


class ClusterDeleted(Data):
    cluster_id: int
    ideas: Annotated[list[Idea], msgspec.Meta(description="its ideas, now with `cluster_id: null`")]


class ClustersReordered(Data):
    clusters: Annotated[list[Cluster], msgspec.Meta(description="in the new order")]


class GroupingPermissionChanged(Data):
    participants_may_group: bool


class SuggestionsProposed(Data):
    suggestions: Annotated[
        list[Suggestion],
        msgspec.Meta(description="the new pending round; earlier pending ones are gone"),
    ]


class SuggestionResolved(Data):
    suggestion: Annotated[Suggestion, msgspec.Meta(description="`accepted` or `rejected`")]


EVENTS: dict[str, Event] = {
    "idea.posted": Event(IdeaPosted),
    "idea.edited": Event(IdeaEdited),
    "idea.withdrawn": Event(IdeaWithdrawn),
    "idea.moved": Event(IdeaMoved),
    "idea.merged": Event(IdeaMerged),
    "idea.tagged": Event(IdeaTagged),
    "cluster.created": Event(ClusterCreated),
    "cluster.renamed": Event(ClusterRenamed),
    "cluster.tagged": Event(ClusterTagged),
    "cluster.deleted": Event(ClusterDeleted),
    "clusters.reordered": Event(ClustersReordered),
    "grouping.permission_changed": Event(GroupingPermissionChanged),
    "suggestions.proposed": Event(SuggestionsProposed, audience="facilitators"),
    "suggestion.resolved": Event(SuggestionResolved, audience="facilitators"),
}
