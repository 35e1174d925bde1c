"""Reads: who may see or triage requests, and what came out of an accepted one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from administrations.models import Administration
from administrations.selectors import administrations_of_member
from challenges.models import Proposal
from statuses.selectors import item_status_of
from summaries.models import ValueProposition

from .models import CoCreationRequest

TRIAGE_PERMISSION = "cocreation.triage_cocreationrequest"


def is_cocreation_team(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    # Superusers hold every permission; others are given this one in the admin.
    return bool(user.is_authenticated and getattr(user, "has_perm")(TRIAGE_PERMISSION))  # noqa: B009


def requests_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[CoCreationRequest]:
    """The team sees every request; a member sees those of their administrations."""
    requests = CoCreationRequest.objects.select_related("administration")
    if is_cocreation_team(user=user):
        return requests
    if not user.is_authenticated:
        return requests.none()
    return requests.filter(Q(administration__members__pk=user.pk)).distinct()


def request_may_ask(
    *, user: AbstractBaseUser | AnonymousUser, administration: Administration
) -> bool:
    return administrations_of_member(user=user).filter(pk=administration.pk).exists()


def request_outcomes(*, request: CoCreationRequest) -> dict[str, Any]:
    """Its workshops with their value propositions' statuses, its challenges with their
    public proposals' statuses."""
    workshops = []
    for workshop in request.workshops.order_by("created_at"):
        propositions = (
            ValueProposition.objects.filter(workshop=workshop)
            .select_related("cluster", "idea")
            .order_by("position", "pk")
        )
        workshops.append(
            {
                "workshop": workshop,
                "propositions": [
                    {"title": p.title, "status": item_status_of(item=p)} for p in propositions
                ],
            }
        )
    challenges = []
    for challenge in request.challenges.order_by("created_at"):
        proposals = Proposal.objects.filter(
            challenge=challenge, status__in=Proposal.PUBLIC
        ).order_by("created_at", "pk")
        challenges.append(
            {
                "challenge": challenge,
                "proposals": [
                    {"title": p.title, "status": item_status_of(item=p)} for p in proposals
                ],
            }
        )
    return {"workshops": workshops, "challenges": challenges}
