"""What can be routed, and the words each item is routed by.

Each kind of item registers a source here. Routing sits above the apps it reads
(ideas, summaries, and open challenges once they exist), so it reads them directly;
none of them needs to know that routing exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Prefetch

from challenges.models import Challenge, Proposal
from ideas.models import Cluster, Idea
from summaries.models import ValueProposition
from workshops.models import Workshop

from .models import Kind


@dataclass(frozen=True)
class Item:
    kind: str
    object_id: int
    # What a person reads in the list.
    title: str
    # What the model reads: the title and the words that explain it.
    text: str
    workshop_id: int | None
    challenge_id: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.object_id)


@dataclass(frozen=True)
class Source:
    kind: str
    model: type[Model]
    find: Callable[[int], Item | None]
    # Every routable item of the kind, read in one pass: the worker's refresh.
    every: Callable[[], list[Item]]
    for_workshop: Callable[[Workshop], list[Item]] | None = None
    for_challenge: Callable[[Challenge], list[Item]] | None = None


def _idea_item(idea: Idea) -> Item:
    return Item(Kind.IDEA, idea.pk, idea.text, idea.text, idea.workshop_id)


def _cluster_item(cluster: Cluster, ideas: list[Idea]) -> Item:
    text = "\n".join([cluster.name, *(idea.text for idea in ideas)])
    return Item(Kind.CLUSTER, cluster.pk, cluster.name, text, cluster.workshop_id)


def _proposition_item(proposition: ValueProposition) -> Item:
    parts = [proposition.title, *(field.text for field in proposition.fields.all() if field.text)]
    return Item(
        Kind.VALUE_PROPOSITION,
        proposition.pk,
        proposition.title,
        "\n".join(parts),
        proposition.workshop_id,
    )


def _published_ideas() -> Prefetch:
    return Prefetch(
        "ideas", queryset=Idea.objects.filter(status=Idea.Status.PUBLISHED), to_attr="published"
    )


def _ideas_of(workshop: Workshop) -> list[Item]:
    ideas = Idea.objects.filter(workshop=workshop, status=Idea.Status.PUBLISHED)
    return [_idea_item(idea) for idea in ideas]


def _ideas() -> list[Item]:
    ideas = Idea.objects.filter(status=Idea.Status.PUBLISHED).only("pk", "text", "workshop_id")
    return [_idea_item(idea) for idea in ideas]


def _idea(object_id: int) -> Item | None:
    idea = Idea.objects.filter(pk=object_id, status=Idea.Status.PUBLISHED).first()
    return _idea_item(idea) if idea else None


def _clusters_of(workshop: Workshop) -> list[Item]:
    clusters = Cluster.objects.filter(workshop=workshop).prefetch_related(_published_ideas())
    return [_cluster_item(cluster, cluster.published) for cluster in clusters]  # type: ignore[attr-defined]


def _clusters() -> list[Item]:
    clusters = Cluster.objects.prefetch_related(_published_ideas())
    return [_cluster_item(cluster, cluster.published) for cluster in clusters]  # type: ignore[attr-defined]


def _cluster(object_id: int) -> Item | None:
    cluster = Cluster.objects.filter(pk=object_id).prefetch_related(_published_ideas()).first()
    return _cluster_item(cluster, cluster.published) if cluster else None  # type: ignore[attr-defined]


def _propositions_of(workshop: Workshop) -> list[Item]:
    propositions = (
        ValueProposition.objects.filter(workshop=workshop)
        .select_related("cluster", "idea")
        .prefetch_related("fields")
    )
    return [_proposition_item(proposition) for proposition in propositions]


def _propositions() -> list[Item]:
    propositions = ValueProposition.objects.select_related("cluster", "idea").prefetch_related(
        "fields"
    )
    return [_proposition_item(proposition) for proposition in propositions]


def _proposition(object_id: int) -> Item | None:
    proposition = (
        ValueProposition.objects.filter(pk=object_id)
        .select_related("cluster", "idea")
        .prefetch_related("fields")
        .first()
    )
    return _proposition_item(proposition) if proposition else None


def _proposal_item(proposal: Proposal) -> Item:
    return Item(
        Kind.PROPOSAL,
        proposal.pk,
        proposal.title,
        f"{proposal.title}\n{proposal.text}",
        workshop_id=None,
        challenge_id=proposal.challenge_id,
    )


def _proposals_of(challenge: Challenge) -> list[Item]:
    proposals = Proposal.objects.filter(challenge=challenge, status__in=Proposal.PUBLIC)
    return [_proposal_item(proposal) for proposal in proposals.order_by("created_at", "pk")]


def _proposals() -> list[Item]:
    proposals = Proposal.objects.filter(status__in=Proposal.PUBLIC)
    return [_proposal_item(proposal) for proposal in proposals]


def _proposal(object_id: int) -> Item | None:
    proposal = Proposal.objects.filter(pk=object_id, status__in=Proposal.PUBLIC).first()
    return _proposal_item(proposal) if proposal else None


# In the order a facilitator routes them: what the room proposed comes first.
SOURCES: dict[str, Source] = {
    Kind.VALUE_PROPOSITION: Source(
        Kind.VALUE_PROPOSITION,
        ValueProposition,
        _proposition,
        _propositions,
        for_workshop=_propositions_of,
    ),
    Kind.CLUSTER: Source(Kind.CLUSTER, Cluster, _cluster, _clusters, for_workshop=_clusters_of),
    Kind.IDEA: Source(Kind.IDEA, Idea, _idea, _ideas, for_workshop=_ideas_of),
    Kind.PROPOSAL: Source(
        Kind.PROPOSAL, Proposal, _proposal, _proposals, for_challenge=_proposals_of
    ),
}


def items_of_workshop(workshop: Workshop) -> list[Item]:
    return [
        item
        for source in SOURCES.values()
        if source.for_workshop is not None
        for item in source.for_workshop(workshop)
    ]


def items_of_challenge(challenge: Challenge) -> list[Item]:
    return [
        item
        for source in SOURCES.values()
        if source.for_challenge is not None
        for item in source.for_challenge(challenge)
    ]


def items_every() -> list[Item]:
    return [item for source in SOURCES.values() for item in source.every()]


def item_object(kind: str, object_id: int) -> Model | None:
    """The model instance behind an item, for the apps that keep something per object."""
    source = SOURCES.get(kind)
    return source.model._default_manager.filter(pk=object_id).first() if source else None


def item_find(kind: str, object_id: int) -> Item | None:
    source = SOURCES.get(kind)
    return source.find(object_id) if source else None
