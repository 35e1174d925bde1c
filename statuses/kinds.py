"""The kinds of item with a status: a workshop's ideas, clusters and value propositions,
and a challenge's proposals.

A workshop's items become public, and can carry a status, once the workshop is
closed: until then the room is still shaping them. A proposal is public while the
challenge shows it (open, threshold reached, forwarded, expired).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from challenges.models import Cosponsorship, Proposal
from challenges.selectors import proposal_supporters
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


def _in_service(prefix: str, field: str) -> Callable[[str], Q | None]:
    """Open311's service code (`workshop-12`, `challenge-3`) as a filter on the items."""

    def find(code: str) -> Q | None:
        head, _sep, number = code.rpartition("-")
        if head != prefix or not number.isascii() or not number.isdigit() or len(number) > 18:
            return None
        return Q(**{field: int(number)})

    return find


def _received(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.select_related("workshop").annotate(received_at=F("created_at"))


def _people(ideas: Q, votes: Q) -> Q:
    authors = Idea.objects.filter(ideas).exclude(author=None).values("author_id")
    voters = Vote.objects.filter(votes).values("participant_id")
    return Q(participant__in=authors) | Q(participant__in=voters)


def _idea_people(idea: Idea) -> Q:
    return _people(Q(pk=idea.pk) | Q(merged_into=idea), Q(idea=idea))


def _cluster_people(cluster: Cluster) -> Q:
    return _people(
        Q(cluster=cluster) | Q(merged_into__cluster=cluster),
        Q(cluster=cluster) | Q(idea__cluster=cluster),
    )


def _proposition_people(proposition: ValueProposition) -> Q:
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


def _of_participant(read: Callable[[Participant], Iterable[Any]]) -> Callable[[Any], Iterable[Any]]:
    """A receipt's items of this kind: those of its workshop participant, if it has one."""

    def items(receipt: Any) -> Iterable[Any]:
        return read(receipt.participant) if receipt.participant_id is not None else []

    return items


def _wrote(ideas: QuerySet[Idea], receipt: Any) -> bool:
    return (
        receipt.participant_id is not None
        and ideas.filter(author_id=receipt.participant_id).exists()
    )


def _proposition_author(proposition: ValueProposition, receipt: Any) -> bool:
    if proposition.cluster_id is not None:
        return _wrote(Idea.objects.filter(cluster_id=proposition.cluster_id), receipt)
    return _wrote(Idea.objects.filter(pk=proposition.idea_id or 0), receipt)


def register_workshop_kinds() -> None:
    kind_register(
        Kind(
            key="idea",
            model=Idea,
            title=lambda idea: idea.text,
            is_public=lambda idea: idea.status in PUBLIC_IDEA and _closed(idea.workshop),
            created_at=lambda idea: idea.created_at,
            service=lambda idea: _service(idea.workshop),
            people=_idea_people,
            items_of_receipt=_of_participant(_ideas_of),
            workshop_id=lambda idea: idea.workshop_id,
            is_author=lambda idea, receipt: _wrote(Idea.objects.filter(pk=idea.pk), receipt),
            public_items=lambda: _received(
                Idea.objects.filter(status__in=PUBLIC_IDEA, workshop__phase=Phase.CLOSED)
            ),
            in_service=_in_service("workshop", "workshop_id"),
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
            people=_cluster_people,
            items_of_receipt=_of_participant(_clusters_of),
            workshop_id=lambda cluster: cluster.workshop_id,
            is_author=lambda cluster, receipt: _wrote(
                Idea.objects.filter(cluster=cluster), receipt
            ),
            public_items=lambda: _received(Cluster.objects.filter(workshop__phase=Phase.CLOSED)),
            in_service=_in_service("workshop", "workshop_id"),
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
            people=_proposition_people,
            items_of_receipt=_of_participant(_propositions_of),
            workshop_id=lambda proposition: proposition.workshop_id,
            is_author=_proposition_author,
            new_items=lambda: (
                ValueProposition.objects.filter(workshop__phase=Phase.CLOSED)
                .select_related("workshop", "cluster", "idea")
                .order_by("-created_at")[:500]
            ),
            public_items=lambda: _received(
                ValueProposition.objects.filter(workshop__phase=Phase.CLOSED)
            ),
            in_service=_in_service("workshop", "workshop_id"),
        )
    )


# ---- challenge proposals ----------------------------------------------------------------------


def _proposal_people(proposal: Proposal) -> Q:
    cosponsors = (
        Cosponsorship.objects.filter(proposal=proposal).exclude(citizen=None).values("citizen_id")
    )
    people = Q(citizen__in=proposal_supporters(proposal=proposal).values("pk")) | Q(
        citizen__in=cosponsors
    )
    # A proposal with no author (opened from a workshop, or its author erased their data)
    # must not match `citizen IS NULL`, which is every workshop participant's receipt.
    if proposal.author_id is not None:
        people |= Q(citizen_id=proposal.author_id)
    return people


def citizen_proposals(*, citizen_id: int) -> QuerySet[Proposal]:
    """The proposals a challenge citizen wrote, co-sponsors or supports."""
    return (
        Proposal.objects.filter(
            Q(author_id=citizen_id)
            | Q(supports__citizen_id=citizen_id)
            | Q(cosponsorships__citizen_id=citizen_id)
        )
        .select_related("challenge")
        .distinct()
        .order_by("pk")
    )


def _proposals_of(receipt: Any) -> Iterable[Proposal]:
    if receipt.citizen_id is None:
        return []
    return citizen_proposals(citizen_id=receipt.citizen_id)


def register_challenge_kinds() -> None:
    kind_register(
        Kind(
            key="proposal",
            model=Proposal,
            title=lambda proposal: proposal.title,
            is_public=lambda proposal: proposal.is_public,
            created_at=lambda proposal: proposal.published_at or proposal.created_at,
            service=lambda proposal: (
                f"challenge-{proposal.challenge_id}",
                proposal.challenge.title,
            ),
            people=_proposal_people,
            items_of_receipt=_proposals_of,
            workshop_id=lambda proposal: None,
            is_author=lambda proposal, receipt: (
                receipt.citizen_id is not None and receipt.citizen_id == proposal.author_id
            ),
            # Those that reached their threshold are the ones waiting for an answer.
            new_items=lambda: (
                Proposal.objects.filter(
                    status__in=[Proposal.Status.THRESHOLD_REACHED, Proposal.Status.FORWARDED]
                )
                .select_related("challenge")
                .order_by("-threshold_reached_at")[:500]
            ),
            public_items=lambda: (
                Proposal.objects.filter(status__in=Proposal.PUBLIC)
                .select_related("challenge")
                .annotate(received_at=Coalesce("published_at", "created_at"))
            ),
            in_service=_in_service("challenge", "challenge_id"),
        )
    )
