"""The events ideas send to the room: each one's data, declared once."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.registry import Data, Event

Idea = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Idea"})]
Cluster = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Cluster"})]
Suggestion = Annotated[dict[str, Any], msgspec.Meta(extra={"shape": "Suggestion"})]


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
