"""The workshop's kinds of item: ideas, clusters and value propositions.

A workshop's items become public, and can carry a status, once the workshop is
closed: until then the room is still shaping them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ideas.models import Cluster, Idea
from summaries.models import ValueProposition
from voting.models import Vote
from workshops.models import Participant, Workshop
from workshops.phases import Phase

from .registry import Kind, kind_register

# Ideas a facilitator hid, or that wait for review, have no public life; merged ones
# live on in the idea they were merged into.
PUBLIC_IDEA = (Idea.Status.PUBLISHED,)


def _closed(workshop: Workshop) -> bool:
    return workshop.phase == Phase.CLOSED


def _service(workshop: Workshop) -> tuple[str, str]:
    return (f"workshop-{workshop.pk}", workshop.title)


def _people(ideas: Q, votes: Q) -> QuerySet[Participant]:
    authors = Idea.objects.filter(ideas).exclude(author=None).values("author_id")
    voters = Vote.objects.filter(votes).values("participant_id")
    return Participant.objects.filter(Q(pk__in=authors) | Q(pk__in=voters))


def _idea_people(idea: Idea) -> QuerySet[Participant]:
    return _people(Q(pk=idea.pk) | Q(merged_into=idea), Q(idea=idea))


def _cluster_people(cluster: Cluster) -> QuerySet[Participant]:
    return _people(
        Q(cluster=cluster) | Q(merged_into__cluster=cluster),
        Q(cluster=cluster) | Q(idea__cluster=cluster),
    )


def _proposition_people(proposition: ValueProposition) -> QuerySet[Participant]:
    if proposition.cluster is not None:
        return _cluster_people(proposition.cluster)
    assert proposition.idea is not None  # noqa: S101 - the table's check constraint
    return _idea_people(proposition.idea)


def _ideas_of(participant: Participant) -> Iterable[Idea]:
    return Idea.objects.filter(author=participant, status__in=PUBLIC_IDEA).order_by("pk")


def _clusters_of(participant: Participant) -> Iterable[Cluster]:
    return (
        Cluster.objects.filter(
            Q(ideas__author=participant)
            | Q(votes__participant=participant)
            | Q(ideas__votes__participant=participant)
        )
        .distinct()
        .order_by("pk")
    )


def _propositions_of(participant: Participant) -> Iterable[ValueProposition]:
    clusters = [cluster.pk for cluster in _clusters_of(participant)]
    ideas = Idea.objects.filter(Q(author=participant) | Q(votes__participant=participant)).values(
        "pk"
    )
    return (
        ValueProposition.objects.filter(Q(cluster__in=clusters) | Q(idea__in=ideas))
        .select_related("cluster", "idea", "workshop")
        .distinct()
        .order_by("pk")
    )


def _authors(ideas: QuerySet[Idea]) -> set[int]:
    return {pk for pk in ideas.exclude(author=None).values_list("author_id", flat=True) if pk}


def _proposition_authors(proposition: ValueProposition) -> set[int]:
    if proposition.cluster_id is not None:
        return _authors(Idea.objects.filter(cluster_id=proposition.cluster_id))
    return _authors(Idea.objects.filter(pk=proposition.idea_id or 0))


def register_workshop_kinds() -> None:
    kind_register(
        Kind(
            key="idea",
            model=Idea,
            title=lambda idea: idea.text,
            is_public=lambda idea: idea.status in PUBLIC_IDEA and _closed(idea.workshop),
            created_at=lambda idea: idea.created_at,
            service=lambda idea: _service(idea.workshop),
            participants=_idea_people,
            items_of_participant=_ideas_of,
            workshop_id=lambda idea: idea.workshop_id,
            author_ids=lambda idea: _authors(Idea.objects.filter(pk=idea.pk)),
        )
    )
    kind_register(
        Kind(
            key="cluster",
            model=Cluster,
            title=lambda cluster: cluster.name,
            is_public=lambda cluster: _closed(cluster.workshop),
            created_at=lambda cluster: cluster.created_at,
            service=lambda cluster: _service(cluster.workshop),
            participants=_cluster_people,
            items_of_participant=_clusters_of,
            workshop_id=lambda cluster: cluster.workshop_id,
            author_ids=lambda cluster: _authors(Idea.objects.filter(cluster=cluster)),
        )
    )
    kind_register(
        Kind(
            key="proposition",
            model=ValueProposition,
            title=lambda proposition: proposition.title,
            is_public=lambda proposition: _closed(proposition.workshop),
            created_at=lambda proposition: proposition.created_at,
            service=lambda proposition: _service(proposition.workshop),
            participants=_proposition_people,
            items_of_participant=_propositions_of,
            workshop_id=lambda proposition: proposition.workshop_id,
            author_ids=_proposition_authors,
            new_items=lambda: (
                ValueProposition.objects.filter(workshop__phase=Phase.CLOSED)
                .select_related("workshop", "cluster", "idea")
                .order_by("-created_at")[:500]
            ),
        )
    )
