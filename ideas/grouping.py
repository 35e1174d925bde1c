"""Every write that groups ideas: clusters, moving, merging, tags and suggested clusters.

Each service checks permission and phase through workshops.actors.require, writes in
one transaction and publishes its event after commit, like ideas/services.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.actors import Actor, require
from workshops.errors import ActionRefused
from workshops.events import Audience, publish
from workshops.limits import actor_limit
from workshops.models import Workshop
from workshops.phases import Action, Role
from workshops.sanitize import clean_text

from .models import Cluster, ClusterSuggestion, Idea
from .serializers import cluster_as_dict, idea_as_dict, suggestion_as_dict
from .suggestions import propose_clusters

CLUSTER_NAME_MAX_LENGTH = 120
TAG_MAX_LENGTH = 40
MAX_TAGS = 10
MAX_CLUSTERS = 100


def _id(raw: object, message: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ActionRefused("invalid", message)
    return raw


def _cluster_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Give the cluster a name."))
    name = clean_text(raw, multiline=False)
    if not name:
        raise ActionRefused("invalid", _("Give the cluster a name."))
    if len(name) > CLUSTER_NAME_MAX_LENGTH:
        raise ActionRefused(
            "invalid",
            ngettext(
                "A cluster name can be at most %(limit)d character.",
                "A cluster name can be at most %(limit)d characters.",
                CLUSTER_NAME_MAX_LENGTH,
            )
            % {"limit": CLUSTER_NAME_MAX_LENGTH},
        )
    return name


def _tags(raw: object) -> list[str]:
    """Cleaned tags, each once whatever its case, in the order given."""
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
        raise ActionRefused("invalid", _("Tags are a list of words."))
    tags: list[str] = []
    seen: set[str] = set()
    for item in raw:
        # A comma inside a tag would split it on the next edit in the console.
        tag = clean_text(item, multiline=False).replace(",", " ").strip()
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            raise ActionRefused(
                "invalid",
                ngettext(
                    "A tag can be at most %(limit)d character.",
                    "A tag can be at most %(limit)d characters.",
                    TAG_MAX_LENGTH,
                )
                % {"limit": TAG_MAX_LENGTH},
            )
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ActionRefused(
            "invalid",
            ngettext("At most %(limit)d tag.", "At most %(limit)d tags.", MAX_TAGS)
            % {"limit": MAX_TAGS},
        )
    return tags


def _cluster(actor: Actor, cluster_id: object) -> Cluster:
    pk = _id(cluster_id, _("That cluster does not exist."))
    # Another workshop's cluster is "not found": its existence is none of this room's business.
    cluster = Cluster.objects.select_for_update().filter(pk=pk, workshop=actor.workshop).first()
    if cluster is None:
        raise ActionRefused("not_found", _("That cluster does not exist."))
    return cluster


def _wall_idea(actor: Actor, idea_id: object) -> Idea:
    pk = _id(idea_id, _("That idea does not exist."))
    idea = (
        Idea.objects.select_for_update()
        .filter(pk=pk, workshop=actor.workshop, status=Idea.Status.PUBLISHED)
        .first()
    )
    if idea is None:
        raise ActionRefused("not_found", _("That idea does not exist."))
    return idea


def _touch(idea: Idea, fields: Iterable[str]) -> None:
    idea.revision += 1
    idea.updated_at = timezone.now()
    idea.save(update_fields=[*fields, "revision", "updated_at"])


def _count_grouping(actor: Actor) -> None:
    """Grouping has a limit of its own (workshops/limits.py): a board is moved by hand."""
    actor_limit(actor=actor, kind="group")


def _require_grouping(actor: Actor) -> None:
    """Moving ideas: facilitators by the rules, citizens also only while allowed."""
    require(actor, Action.GROUP_IDEAS)
    if actor.role is not Role.FACILITATOR and not actor.workshop.participants_may_group:
        raise ActionRefused(
            "forbidden", _("The facilitator has not opened grouping to participants.")
        )


@transaction.atomic
def grouping_set_permission(*, actor: Actor, allowed: object) -> Workshop:
    """Let participants move ideas between clusters, or let them only watch."""
    require(actor, Action.SET_GROUPING_PERMISSION)
    if not isinstance(allowed, bool):
        raise ActionRefused("invalid", _("Choose whether participants may group."))
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop.pk)
    if workshop.participants_may_group == allowed:
        return workshop
    workshop.participants_may_group = allowed
    workshop.save(update_fields=["participants_may_group"])
    publish(workshop, "grouping.permission_changed", {"participants_may_group": allowed})
    return workshop


def _create_cluster(workshop: Workshop, name: str) -> Cluster:
    clusters = Cluster.objects.select_for_update().filter(workshop=workshop)
    if clusters.count() >= MAX_CLUSTERS:
        raise ActionRefused(
            "invalid",
            ngettext(
                "A board holds at most %(limit)d cluster.",
                "A board holds at most %(limit)d clusters.",
                MAX_CLUSTERS,
            )
            % {"limit": MAX_CLUSTERS},
        )
    last = clusters.aggregate(last=Max("position"))["last"]
    return Cluster.objects.create(
        workshop=workshop, name=name, position=0 if last is None else last + 1
    )


@transaction.atomic
def cluster_create(*, actor: Actor, name: object) -> Cluster:
    require(actor, Action.MANAGE_CLUSTERS)
    _count_grouping(actor)
    cluster = _create_cluster(actor.workshop, _cluster_name(name))
    publish(actor.workshop, "cluster.created", {"cluster": cluster_as_dict(cluster), "ideas": []})
    return cluster


@transaction.atomic
def cluster_rename(*, actor: Actor, cluster_id: object, name: object) -> Cluster:
    require(actor, Action.MANAGE_CLUSTERS)
    _count_grouping(actor)
    cluster = _cluster(actor, cluster_id)
    cleaned = _cluster_name(name)
    if cleaned == cluster.name:
        return cluster
    cluster.name = cleaned
    cluster.revision += 1
    cluster.save(update_fields=["name", "revision"])
    publish(actor.workshop, "cluster.renamed", {"cluster": cluster_as_dict(cluster)})
    return cluster


@transaction.atomic
def clusters_reorder(*, actor: Actor, cluster_ids: object) -> list[Cluster]:
    """Put the board's clusters in this order; the list must name each of them once."""
    require(actor, Action.MANAGE_CLUSTERS)
    _count_grouping(actor)
    if not isinstance(cluster_ids, list) or not all(
        isinstance(pk, int) and not isinstance(pk, bool) for pk in cluster_ids
    ):
        raise ActionRefused("invalid", _("Send the clusters' ids in their new order."))
    clusters = {
        c.pk: c for c in Cluster.objects.select_for_update().filter(workshop=actor.workshop)
    }
    if len(cluster_ids) != len(set(cluster_ids)) or set(cluster_ids) != set(clusters):
        # Someone added or removed a cluster since this screen last heard.
        raise ActionRefused(
            "conflict", _("The clusters have changed meanwhile; look again and retry.")
        )
    ordered = [clusters[pk] for pk in cluster_ids]
    changed = False
    for position, cluster in enumerate(ordered):
        if cluster.position != position:
            cluster.position = position
            cluster.revision += 1
            cluster.save(update_fields=["position", "revision"])
            changed = True
    if changed:
        publish(
            actor.workshop,
            "clusters.reordered",
            {"clusters": [cluster_as_dict(cluster) for cluster in ordered]},
        )
    return ordered


@transaction.atomic
def cluster_delete(*, actor: Actor, cluster_id: object) -> list[Idea]:
    """Remove a cluster; its ideas go back to the unsorted ones. Returns those ideas."""
    require(actor, Action.MANAGE_CLUSTERS)
    _count_grouping(actor)
    cluster = _cluster(actor, cluster_id)
    ideas = list(Idea.objects.select_for_update().filter(cluster=cluster).order_by("pk"))
    for idea in ideas:
        idea.cluster = None
        _touch(idea, ["cluster"])
    pk = cluster.pk
    cluster.delete()
    # Only ideas on the wall are news to the room; a withdrawn one just loses its cluster.
    shown = [idea_as_dict(idea) for idea in ideas if idea.status == Idea.Status.PUBLISHED]
    publish(actor.workshop, "cluster.deleted", {"cluster_id": pk, "ideas": shown})
    return ideas


@transaction.atomic
def idea_move(*, actor: Actor, idea_id: object, cluster_id: object) -> Idea:
    """Put an idea into a cluster, or with None back among the unsorted ones."""
    _require_grouping(actor)
    _count_grouping(actor)
    idea = _wall_idea(actor, idea_id)
    cluster = None if cluster_id is None else _cluster(actor, cluster_id)
    target = None if cluster is None else cluster.pk
    if idea.cluster_id == target:
        return idea
    idea.cluster = cluster
    _touch(idea, ["cluster"])
    publish(actor.workshop, "idea.moved", {"idea": idea_as_dict(idea)})
    return idea


@transaction.atomic
def idea_merge(*, actor: Actor, idea_id: object, into_id: object) -> tuple[Idea, Idea]:
    """Fold a duplicate into another idea, which keeps both ideas' words.

    Returns (target, merged source). The source stays stored with status "merged".
    """
    require(actor, Action.MERGE_IDEAS)
    _count_grouping(actor)
    source_pk = _id(idea_id, _("That idea does not exist."))
    target_pk = _id(into_id, _("That idea does not exist."))
    if source_pk == target_pk:
        raise ActionRefused("invalid", _("An idea cannot be merged into itself."))
    # Lock both in one order, so two merges of the same pair cannot deadlock.
    first, second = sorted((source_pk, target_pk))
    locked = {first: _wall_idea(actor, first), second: _wall_idea(actor, second)}
    source, target = locked[source_pk], locked[target_pk]
    # Duplicates merged into the source earlier now belong to the target, so the
    # target's list holds every duplicate's words.
    for earlier in Idea.objects.select_for_update().filter(merged_into=source):
        earlier.merged_into = target
        _touch(earlier, ["merged_into"])
    source.status = Idea.Status.MERGED
    source.merged_into = target
    source.cluster = None
    _touch(source, ["status", "merged_into", "cluster"])
    _touch(target, [])
    publish(
        actor.workshop,
        "idea.merged",
        {"idea": idea_as_dict(target), "merged": idea_as_dict(source)},
    )
    return target, source


@transaction.atomic
def idea_tag(*, actor: Actor, idea_id: object, tags: object) -> Idea:
    """Replace the idea's tags with these."""
    require(actor, Action.TAG)
    _count_grouping(actor)
    idea = _wall_idea(actor, idea_id)
    cleaned = _tags(tags)
    if sorted(cleaned) == sorted(_current(idea)):
        return idea
    idea.tags.set(cleaned, clear=True)
    _touch(idea, [])
    publish(actor.workshop, "idea.tagged", {"idea": idea_as_dict(idea)})
    return idea


@transaction.atomic
def cluster_tag(*, actor: Actor, cluster_id: object, tags: object) -> Cluster:
    """Replace the cluster's tags with these."""
    require(actor, Action.TAG)
    _count_grouping(actor)
    cluster = _cluster(actor, cluster_id)
    cleaned = _tags(tags)
    if sorted(cleaned) == sorted(_current(cluster)):
        return cluster
    cluster.tags.set(cleaned, clear=True)
    cluster.revision += 1
    cluster.save(update_fields=["revision"])
    publish(actor.workshop, "cluster.tagged", {"cluster": cluster_as_dict(cluster)})
    return cluster


def _current(item: Idea | Cluster) -> list[str]:
    return [tag.name for tag in item.tags.all()]


@transaction.atomic
def clusters_suggest(*, actor: Actor) -> list[ClusterSuggestion]:
    """Propose clusters for the unsorted ideas; earlier undecided proposals are replaced.

    Nothing moves: a facilitator accepts or rejects each proposal.
    """
    require(actor, Action.SUGGEST_CLUSTERS)
    _count_grouping(actor)
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop.pk)
    ClusterSuggestion.objects.filter(
        workshop=workshop, status=ClusterSuggestion.Status.PENDING
    ).update(status=ClusterSuggestion.Status.REPLACED, resolved_at=timezone.now())
    unsorted = list(
        Idea.objects.filter(
            workshop=workshop, status=Idea.Status.PUBLISHED, cluster__isnull=True
        ).order_by("created_at", "pk")
    )
    created = []
    for position, proposal in enumerate(propose_clusters([idea.text for idea in unsorted])):
        suggestion = ClusterSuggestion.objects.create(
            workshop=workshop, name=proposal.name or _("Suggested cluster"), position=position
        )
        suggestion.ideas.set([unsorted[i] for i in proposal.members])
        created.append(suggestion)
    publish(
        workshop,
        "suggestions.proposed",
        {"suggestions": [suggestion_as_dict(s) for s in created]},
        audience=Audience.FACILITATORS,
    )
    return created


def _pending(actor: Actor, suggestion_id: object) -> ClusterSuggestion:
    pk = _id(suggestion_id, _("That suggestion does not exist."))
    suggestion = (
        ClusterSuggestion.objects.select_for_update().filter(pk=pk, workshop=actor.workshop).first()
    )
    if suggestion is None:
        raise ActionRefused("not_found", _("That suggestion does not exist."))
    if suggestion.status != ClusterSuggestion.Status.PENDING:
        raise ActionRefused("conflict", _("That suggestion has already been decided."))
    return suggestion


def _resolve(suggestion: ClusterSuggestion, status: str) -> None:
    suggestion.status = status
    suggestion.resolved_at = timezone.now()
    suggestion.save(update_fields=["status", "resolved_at", "cluster"])


@transaction.atomic
def suggestion_accept(
    *, actor: Actor, suggestion_id: object, name: object = None
) -> tuple[ClusterSuggestion, Cluster]:
    """Make the proposed cluster, optionally under another name, with its ideas in it.

    Ideas a person has sorted or taken off the wall since the proposal stay where they are.
    """
    require(actor, Action.MANAGE_CLUSTERS)
    _count_grouping(actor)
    suggestion = _pending(actor, suggestion_id)
    cleaned = _cluster_name(suggestion.name if name in (None, "") else name)
    ideas = list(
        Idea.objects.select_for_update()
        .filter(
            pk__in=suggestion.ideas.values("pk"),
            workshop=actor.workshop,
            status=Idea.Status.PUBLISHED,
            cluster__isnull=True,
        )
        .order_by("pk")
    )
    if not ideas:
        raise ActionRefused(
            "conflict", _("Its ideas have all been sorted meanwhile; reject this suggestion.")
        )
    cluster = _create_cluster(actor.workshop, cleaned)
    for idea in ideas:
        idea.cluster = cluster
        _touch(idea, ["cluster"])
    suggestion.cluster = cluster
    _resolve(suggestion, ClusterSuggestion.Status.ACCEPTED)
    publish(
        actor.workshop,
        "cluster.created",
        {"cluster": cluster_as_dict(cluster), "ideas": [idea_as_dict(idea) for idea in ideas]},
    )
    publish(
        actor.workshop,
        "suggestion.resolved",
        {"suggestion": suggestion_as_dict(suggestion)},
        audience=Audience.FACILITATORS,
    )
    return suggestion, cluster


@transaction.atomic
def suggestion_reject(*, actor: Actor, suggestion_id: object) -> ClusterSuggestion:
    require(actor, Action.SUGGEST_CLUSTERS)
    _count_grouping(actor)
    suggestion = _pending(actor, suggestion_id)
    _resolve(suggestion, ClusterSuggestion.Status.REJECTED)
    publish(
        actor.workshop,
        "suggestion.resolved",
        {"suggestion": suggestion_as_dict(suggestion)},
        audience=Audience.FACILITATORS,
    )
    return suggestion
