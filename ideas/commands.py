"""Room commands about ideas: check the frame's fields, call the service, answer."""

from __future__ import annotations

from typing import Any

from workshops.actors import Actor
from workshops.registry import Command

from . import grouping, services
from .selectors import ideas_similar_to
from .serializers import cluster_as_dict, idea_as_dict, suggestion_as_dict


def _post(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea, created = services.idea_post(
        actor=actor, text=frame.get("text"), client_key=frame.get("client_key")
    )
    return {"idea": idea_as_dict(idea), "created": created, "client_key": idea.client_key}


def _edit(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_edit(actor=actor, idea_id=frame.get("idea_id"), text=frame.get("text"))
    return {"idea": idea_as_dict(idea)}


def _withdraw(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = services.idea_withdraw(actor=actor, idea_id=frame.get("idea_id"))
    return {"idea": idea_as_dict(idea)}


def _similar(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    found = ideas_similar_to(actor=actor, text=frame.get("text"))
    return {
        "ideas": [{"idea": idea_as_dict(idea), "score": round(score, 3)} for idea, score in found]
    }


def _move(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = grouping.idea_move(
        actor=actor, idea_id=frame.get("idea_id"), cluster_id=frame.get("cluster_id")
    )
    return {"idea": idea_as_dict(idea)}


def _merge(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    target, source = grouping.idea_merge(
        actor=actor, idea_id=frame.get("idea_id"), into_id=frame.get("into_id")
    )
    return {"idea": idea_as_dict(target), "merged": idea_as_dict(source)}


def _tag_idea(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    idea = grouping.idea_tag(actor=actor, idea_id=frame.get("idea_id"), tags=frame.get("tags"))
    return {"idea": idea_as_dict(idea)}


def _create_cluster(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    return {
        "cluster": cluster_as_dict(grouping.cluster_create(actor=actor, name=frame.get("name")))
    }


def _rename_cluster(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    cluster = grouping.cluster_rename(
        actor=actor, cluster_id=frame.get("cluster_id"), name=frame.get("name")
    )
    return {"cluster": cluster_as_dict(cluster)}


def _tag_cluster(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    cluster = grouping.cluster_tag(
        actor=actor, cluster_id=frame.get("cluster_id"), tags=frame.get("tags")
    )
    return {"cluster": cluster_as_dict(cluster)}


def _delete_cluster(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    cluster_id = frame.get("cluster_id")
    ideas = grouping.cluster_delete(actor=actor, cluster_id=cluster_id)
    return {"cluster_id": cluster_id, "idea_ids": [idea.pk for idea in ideas]}


def _reorder(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    clusters = grouping.clusters_reorder(actor=actor, cluster_ids=frame.get("cluster_ids"))
    return {"clusters": [cluster_as_dict(cluster) for cluster in clusters]}


def _allow_grouping(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    workshop = grouping.grouping_set_permission(actor=actor, allowed=frame.get("allowed"))
    return {"participants_may_group": workshop.participants_may_group}


def _suggest(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    suggestions = grouping.clusters_suggest(actor=actor)
    return {"suggestions": [suggestion_as_dict(suggestion) for suggestion in suggestions]}


def _accept(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    suggestion, cluster = grouping.suggestion_accept(
        actor=actor, suggestion_id=frame.get("suggestion_id"), name=frame.get("name")
    )
    return {"suggestion": suggestion_as_dict(suggestion), "cluster": cluster_as_dict(cluster)}


def _reject(actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    suggestion = grouping.suggestion_reject(actor=actor, suggestion_id=frame.get("suggestion_id"))
    return {"suggestion": suggestion_as_dict(suggestion)}


COMMANDS: dict[str, Command] = {
    "idea.post": Command(_post),
    "idea.edit": Command(_edit),
    "idea.withdraw": Command(_withdraw),
    "idea.similar": Command(_similar),
    "idea.move": Command(_move),
    "idea.merge": Command(_merge),
    "idea.tag": Command(_tag_idea),
    "cluster.create": Command(_create_cluster),
    "cluster.rename": Command(_rename_cluster),
    "cluster.tag": Command(_tag_cluster),
    "cluster.delete": Command(_delete_cluster),
    "clusters.reorder": Command(_reorder),
    "grouping.allow": Command(_allow_grouping),
    "clusters.suggest": Command(_suggest),
    "suggestion.accept": Command(_accept),
    "suggestion.reject": Command(_reject),
}
