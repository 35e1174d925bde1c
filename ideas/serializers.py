from __future__ import annotations

from typing import Any

from .models import Cluster, ClusterSuggestion, Idea


def tag_names(item: Idea | Cluster) -> list[str]:
    # Read through all() so a prefetch (the snapshot) is used instead of a query per card.
    return sorted((tag.name for tag in item.tags.all()), key=str.casefold)


def merged_idea_as_dict(idea: Idea) -> dict[str, Any]:
    """The words of a duplicate that now lives inside another idea."""
    return {
        "id": idea.pk,
        "text": idea.text,
        "author_id": idea.author_id,
        "author_name": idea.author.display_name if idea.author else "",
    }


def idea_as_dict(idea: Idea) -> dict[str, Any]:
    published = idea.status == Idea.Status.PUBLISHED
    return {
        "id": idea.pk,
        "text": idea.text if published else "",
        "status": idea.status,
        "author_id": idea.author_id,
        "author_name": idea.author.display_name if idea.author else "",
        "created_at": idea.created_at.isoformat(),
        "edited": idea.edited_at is not None and published,
        "revision": idea.revision,
        "cluster_id": idea.cluster_id,
        "merged_into": idea.merged_into_id,
        # The duplicates merged into this idea keep their own words and authors.
        "merged": [
            merged_idea_as_dict(merged)
            for merged in sorted(idea.merged_ideas.all(), key=lambda m: m.pk)
            if merged.status == Idea.Status.MERGED
        ]
        if published
        else [],
        "tags": tag_names(idea),
    }


def cluster_as_dict(cluster: Cluster) -> dict[str, Any]:
    return {
        "id": cluster.pk,
        "name": cluster.name,
        "position": cluster.position,
        "tags": tag_names(cluster),
        "revision": cluster.revision,
    }


def suggestion_as_dict(suggestion: ClusterSuggestion) -> dict[str, Any]:
    return {
        "id": suggestion.pk,
        "name": suggestion.name,
        "status": suggestion.status,
        "idea_ids": sorted(idea.pk for idea in suggestion.ideas.all()),
        "cluster_id": suggestion.cluster_id,
    }
