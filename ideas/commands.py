"""Room commands about ideas: their declared fields, and the call to each service."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from workshops.actors import Actor
from workshops.registry import Command, Fields

from . import grouping, services
from .selectors import ideas_similar_to
from .serializers import cluster_as_dict, idea_as_dict, suggestion_as_dict

_TAGS = msgspec.Meta(
    description="list of strings, or one comma-separated string; replaces the tags"
)


class Post(Fields):
    client_key: Annotated[str, msgspec.Meta(description="8-64 of `A-Z a-z 0-9 _ -`")]
    text: str


class Edit(Fields):
    idea_id: int
    text: str


class OnIdea(Fields):
    idea_id: int


class Similar(Fields):
    text: str


class Move(Fields):
    idea_id: int
    cluster_id: Annotated[int | None, msgspec.Meta(description="`null` for unsorted")] = None


class Merge(Fields):
    idea_id: Annotated[int, msgspec.Meta(description="the duplicate")]
    into_id: Annotated[int, msgspec.Meta(description="the idea that stays")]


class TagIdea(Fields):
    idea_id: int
    tags: Annotated[list[str] | str, _TAGS]


class ClusterName(Fields):
    name: Annotated[str, msgspec.Meta(description="1-120 characters")]


class ClusterRename(Fields):
    cluster_id: int
    name: str


class TagCluster(Fields):
    cluster_id: int
    tags: Annotated[list[str] | str, _TAGS]


class OnCluster(Fields):
    cluster_id: int


class Reorder(Fields):
    cluster_ids: Annotated[
        list[int], msgspec.Meta(description="every cluster of the board, once, in the new order")
    ]


class Allow(Fields):
    allowed: bool


class Accept(Fields):
    suggestion_id: int
    name: Annotated[str | None, msgspec.Meta(description="an edited name, if any")] = None


class OnSuggestion(Fields):
    suggestion_id: int


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


_BOARD = "facilitator, ideate or group"

COMMANDS: dict[str, Command] = {
    "idea.post": Command(
        _post, Post, who="citizen, ideate", answer="`idea`, `created`, `client_key`"
    ),
    "idea.edit": Command(_edit, Edit, who="the idea's author, ideate", answer="`idea`"),
    "idea.withdraw": Command(_withdraw, OnIdea, who="the idea's author, ideate", answer="`idea`"),
    "idea.similar": Command(
        _similar,
        Similar,
        who="citizen, ideate; facilitator, ideate or group",
        answer="`ideas`: up to 3 `{idea, score}`, best first",
    ),
    "idea.move": Command(
        _move,
        Move,
        who="facilitator, ideate or group; citizen, group, if allowed",
        answer="`idea`",
    ),
    "idea.merge": Command(
        _merge, Merge, who=_BOARD, answer="`idea` (the one that stays), `merged`"
    ),
    "idea.tag": Command(
        _tag_idea, TagIdea, who="facilitator, any phase but closed", answer="`idea`"
    ),
    "cluster.create": Command(_create_cluster, ClusterName, who=_BOARD, answer="`cluster`"),
    "cluster.rename": Command(_rename_cluster, ClusterRename, who=_BOARD, answer="`cluster`"),
    "cluster.tag": Command(
        _tag_cluster, TagCluster, who="facilitator, any phase but closed", answer="`cluster`"
    ),
    "cluster.delete": Command(
        _delete_cluster,
        OnCluster,
        who="facilitator, ideate or group; its ideas become unsorted",
        answer="`cluster_id`, `idea_ids`",
    ),
    "clusters.reorder": Command(_reorder, Reorder, who=_BOARD, answer="`clusters`"),
    "grouping.allow": Command(
        _allow_grouping,
        Allow,
        who="facilitator, any phase but closed",
        answer="`participants_may_group`",
    ),
    "clusters.suggest": Command(_suggest, who=_BOARD, answer="`suggestions`"),
    "suggestion.accept": Command(_accept, Accept, who=_BOARD, answer="`suggestion`, `cluster`"),
    "suggestion.reject": Command(_reject, OnSuggestion, who=_BOARD, answer="`suggestion`"),
}
