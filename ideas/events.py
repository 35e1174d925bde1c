"""The events ideas send to the room; shapes in docs/protocol.md."""

from __future__ import annotations

from typing import Any

import msgspec

from workshops.registry import Event


class IdeaPosted(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any


class IdeaEdited(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any


class IdeaWithdrawn(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any


class IdeaMoved(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any


class IdeaMerged(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any
    merged: Any


class IdeaTagged(msgspec.Struct, forbid_unknown_fields=True):
    idea: Any


class ClusterCreated(msgspec.Struct, forbid_unknown_fields=True):
    cluster: Any
    ideas: Any


class ClusterRenamed(msgspec.Struct, forbid_unknown_fields=True):
    cluster: Any


class ClusterTagged(msgspec.Struct, forbid_unknown_fields=True):
    cluster: Any


class ClusterDeleted(msgspec.Struct, forbid_unknown_fields=True):
    cluster_id: Any
    ideas: Any


class ClustersReordered(msgspec.Struct, forbid_unknown_fields=True):
    clusters: Any


class GroupingPermissionChanged(msgspec.Struct, forbid_unknown_fields=True):
    participants_may_group: Any


class SuggestionsProposed(msgspec.Struct, forbid_unknown_fields=True):
    suggestions: Any


class SuggestionResolved(msgspec.Struct, forbid_unknown_fields=True):
    suggestion: Any


EVENTS: dict[str, Event] = {
    "idea.posted": Event(IdeaPosted),
    "idea.edited": Event(IdeaEdited),
    "idea.withdrawn": Event(IdeaWithdrawn),
    # Grouping (ideas/grouping.py).
    "idea.moved": Event(IdeaMoved),
    # `idea` is the idea that stays, `merged` the duplicate folded into it.
    "idea.merged": Event(IdeaMerged),
    "idea.tagged": Event(IdeaTagged),
    # `ideas` are the ideas placed in the new cluster (an accepted suggestion), or none.
    "cluster.created": Event(ClusterCreated),
    "cluster.renamed": Event(ClusterRenamed),
    "cluster.tagged": Event(ClusterTagged),
    # `ideas` are the cluster's ideas, back among the unsorted ones.
    "cluster.deleted": Event(ClusterDeleted),
    "clusters.reordered": Event(ClustersReordered),
    "grouping.permission_changed": Event(GroupingPermissionChanged),
    # Facilitators only.
    "suggestions.proposed": Event(SuggestionsProposed),
    "suggestion.resolved": Event(SuggestionResolved),
}
