"""The events ideas send to the room; shapes in docs/protocol.md."""

from __future__ import annotations

EVENT_FIELDS: dict[str, frozenset[str]] = {
    "idea.posted": frozenset({"idea"}),
    "idea.edited": frozenset({"idea"}),
    "idea.withdrawn": frozenset({"idea"}),
    # Grouping (ideas/grouping.py).
    "idea.moved": frozenset({"idea"}),
    # `idea` is the idea that stays, `merged` the duplicate folded into it.
    "idea.merged": frozenset({"idea", "merged"}),
    "idea.tagged": frozenset({"idea"}),
    # `ideas` are the ideas placed in the new cluster (an accepted suggestion), or none.
    "cluster.created": frozenset({"cluster", "ideas"}),
    "cluster.renamed": frozenset({"cluster"}),
    "cluster.tagged": frozenset({"cluster"}),
    # `ideas` are the cluster's ideas, back among the unsorted ones.
    "cluster.deleted": frozenset({"cluster_id", "ideas"}),
    "clusters.reordered": frozenset({"clusters"}),
    "grouping.permission_changed": frozenset({"participants_may_group"}),
    # Facilitators only.
    "suggestions.proposed": frozenset({"suggestions"}),
    "suggestion.resolved": frozenset({"suggestion"}),
}
