"""Reads about value propositions, and the support figures the summary ranks them by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from ideas.models import Idea
from voting.models import Ballot
from voting.selectors import ballot_of, support_by_cluster, support_by_target
from workshops.models import Workshop
from workshops.phases import Role
from workshops.room_cache import room_part

from .models import (
    NameConsent,
    PropositionAlternative,
    PropositionField,
    PropositionSettings,
    PropositionSuggestion,
    SummaryShare,
    ValueProposition,
)
from .serializers import proposition_as_dict

if TYPE_CHECKING:
    from workshops.actors import Actor
    from workshops.models import Participant


def personal_data_part(*, participant: Participant) -> dict[str, Any]:
    """What this app keeps about a participant, for their data download."""
    consent = NameConsent.objects.filter(participant=participant).first()
    suggestions = PropositionSuggestion.objects.filter(participant=participant).select_related(
        "field"
    )
    return {
        "name_in_summary": {
            "agreed": consent is not None,
            "at": consent.created_at.isoformat() if consent is not None else None,
        },
        "proposition_suggestions": [
            {
                "id": suggestion.pk,
                "proposition_id": suggestion.field.proposition_id,
                "field": suggestion.field.name,
                "text": suggestion.text,
                "status": suggestion.status,
                "created_at": suggestion.created_at.isoformat(),
            }
            for suggestion in suggestions.order_by("created_at", "pk")
        ],
    }


def propositions_of(*, workshop: Workshop) -> QuerySet[ValueProposition]:
    """The workshop's value propositions in the room's order, with everything they show."""
    fields = PropositionField.objects.prefetch_related(
        Prefetch(
            "alternatives",
            queryset=PropositionAlternative.objects.filter(resolved_at__isnull=True),
        ),
        Prefetch(
            "suggestions",
            queryset=PropositionSuggestion.objects.filter(
                status=PropositionSuggestion.Status.PENDING
            ),
        ),
    )
    return (
        ValueProposition.objects.filter(workshop=workshop)
        .select_related("cluster", "idea")
        .prefetch_related(Prefetch("fields", queryset=fields))
        .order_by("position", "pk")
    )


def proposition_fresh(*, proposition_id: int) -> ValueProposition:
    proposition = (
        ValueProposition.objects.filter(pk=proposition_id).select_related("workshop").first()
    )
    if proposition is None:
        raise ValueProposition.DoesNotExist(proposition_id)
    return propositions_of(workshop=proposition.workshop).get(pk=proposition_id)


def suggestions_allowed(*, workshop: Workshop) -> bool:
    return PropositionSettings.objects.filter(
        workshop=workshop, participants_may_suggest=True
    ).exists()


def name_consented(*, participant_id: int) -> bool:
    return NameConsent.objects.filter(participant_id=participant_id).exists()


def shares_of(*, workshop: Workshop) -> QuerySet[SummaryShare]:
    return SummaryShare.objects.filter(workshop=workshop, revoked_at__isnull=True)


def share_by_token(*, token: str) -> SummaryShare | None:
    """The active link with this token; a revoked one is as if it never existed."""
    return (
        SummaryShare.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("workshop")
        .first()
    )


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The value-proposition part of the room's snapshot."""
    facilitator = actor.role is Role.FACILITATOR
    workshop = actor.workshop

    def read_propositions() -> dict[str, Any]:
        return {
            "items": [
                proposition_as_dict(proposition, for_facilitator=facilitator)
                for proposition in propositions_of(workshop=workshop)
            ],
            "participants_may_suggest": suggestions_allowed(workshop=workshop),
        }

    shared = room_part(
        workshop_id=workshop.pk, role=actor.role, name="propositions", read=read_propositions
    )
    part: dict[str, Any] = {**shared, "name_in_summary": None}
    if actor.role is Role.CITIZEN and actor.participant is not None:
        # A participant created in this request has not consented yet (workshops.actors).
        part["name_in_summary"] = not actor.just_joined and name_consented(
            participant_id=actor.participant.pk
        )
    return {"propositions": part}


@dataclass(frozen=True)
class Figure:
    votes: int = 0
    supporters: int = 0


NO_SUPPORT = Figure()


@dataclass
class Support:
    """Votes and distinct supporters of every idea and cluster of one workshop."""

    ballot: Ballot
    ideas: dict[int, Figure] = field(default_factory=dict)
    clusters: dict[int, Figure] = field(default_factory=dict)

    def of(self, target_type: str, target_id: int | None) -> Figure:
        table = self.clusters if target_type == "cluster" else self.ideas
        return table.get(target_id or 0, NO_SUPPORT)


def support_figures(*, workshop: Workshop) -> Support:
    """The one source of the summary's support figures: voting's counts, added up in SQL.

    When the room voted on ideas, a cluster's support is its ideas' votes added up, and
    its supporters everyone who voted for at least one of them (nobody counted twice).
    Only what is on the wall has support, as in voting's tallies.
    """
    ballot = ballot_of(workshop=workshop)
    support = Support(ballot=ballot)
    if ballot.pk is None:
        return support
    by_target = support_by_target(ballot=ballot)
    if ballot.target == Ballot.Target.CLUSTERS:
        support.clusters = {key: Figure(*figures) for key, figures in by_target.items()}
        return support
    on_wall = set(
        Idea.objects.filter(workshop=workshop, status=Idea.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    support.ideas = {key: Figure(*figures) for key, figures in by_target.items() if key in on_wall}
    support.clusters = {
        key: Figure(*figures) for key, figures in support_by_cluster(ballot=ballot).items()
    }
    return support
