"""Reads about voting: the rules, a participant's own ballot, and the tallies."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet, Sum

from ideas.models import Cluster, Idea
from workshops.models import Participant, Workshop
from workshops.phases import Role
from workshops.room_cache import room_part

from .models import Ballot, Vote, Voter
from .serializers import ballot_as_dict, own_ballot_as_dict

if TYPE_CHECKING:
    from workshops.actors import Actor


def ballot_of(*, workshop: Workshop) -> Ballot:
    """The workshop's rules; the defaults (unsaved) while nobody has set or used them."""
    ballot = Ballot.objects.filter(workshop=workshop).first()
    return ballot if ballot is not None else Ballot(workshop=workshop)


def votes_of(*, ballot: Ballot, participant: Participant) -> list[Vote]:
    # By the ballot's workshop, not its pk: the rules may have been read (and kept for the
    # room, workshops.room_cache) before the room's first vote saved the ballot.
    return list(
        Vote.objects.filter(ballot__workshop_id=ballot.workshop_id, participant=participant)
    )


def remaining_of(*, ballot: Ballot, votes: list[Vote]) -> int | None:
    """What this participant may still place: dots, or ranks left; None when unbounded."""
    budget = ballot.budget()
    if budget is None:
        return None
    if ballot.method == Ballot.Method.RANKING:
        return max(budget - len(votes), 0)
    return max(budget - sum(vote.weight for vote in votes), 0)


def own_ballot(*, ballot: Ballot, participant: Participant) -> dict[str, Any]:
    votes = votes_of(ballot=ballot, participant=participant)
    revision = Voter.objects.filter(participant=participant).values_list("revision", flat=True)
    return own_ballot_as_dict(
        votes=votes,
        remaining=remaining_of(ballot=ballot, votes=votes),
        revision=revision.first() or 0,
    )


def merge_targets(*, workshop: Workshop) -> dict[int, int]:
    """Each idea of the workshop → the idea its votes count for (itself unless merged)."""
    merged_into = dict(Idea.objects.filter(workshop=workshop).values_list("pk", "merged_into_id"))
    final: dict[int, int] = {}
    for idea_id in merged_into:
        current, seen = idea_id, {idea_id}
        # Follow a chain of merges (A into B, B into C); a loop stops where it closes.
        while (following := merged_into.get(current)) is not None and following not in seen:
            seen.add(following)
            current = following
        final[idea_id] = current
    return final


def tallies_as_of() -> int:
    """A clock reading (microseconds) that orders tallies: a screen keeps the newest."""
    return time.time_ns() // 1000


def tallies_of(*, ballot: Ballot) -> list[dict[str, Any]]:
    """Items ranked by votes, each with its total and its distinct supporters.

    Votes on an idea merged into another count for that other idea; items that are not
    on the wall (hidden, held, withdrawn) are left out.
    """
    if ballot.pk is None:
        return []
    workshop = ballot.workshop
    totals: dict[int, int] = defaultdict(int)
    supporters: dict[int, set[int]] = defaultdict(set)
    labels: dict[int, str] = {}
    if ballot.target == Ballot.Target.IDEAS:
        rows = Vote.objects.filter(ballot=ballot, idea__isnull=False).values_list(
            "idea_id", "participant_id", "weight"
        )
        final = merge_targets(workshop=workshop)
        for idea_id, participant_id, weight in rows:
            target = final.get(idea_id, idea_id)
            totals[target] += weight
            supporters[target].add(participant_id)
        labels = dict(
            Idea.objects.filter(
                pk__in=list(totals), workshop=workshop, status=Idea.Status.PUBLISHED
            ).values_list("pk", "text")
        )
    else:
        rows = Vote.objects.filter(ballot=ballot, cluster__isnull=False).values_list(
            "cluster_id", "participant_id", "weight"
        )
        for cluster_id, participant_id, weight in rows:
            totals[cluster_id] += weight
            supporters[cluster_id].add(participant_id)
        labels = dict(
            Cluster.objects.filter(pk__in=list(totals), workshop=workshop).values_list("pk", "name")
        )
    ranked = sorted(
        (target for target in totals if target in labels),
        key=lambda target: (-totals[target], -len(supporters[target]), target),
    )
    tallies: list[dict[str, Any]] = []
    for index, target in enumerate(ranked):
        # Equal totals share a place (1, 2, 2, 4), so a tie never looks like a win.
        if tallies and tallies[-1]["total"] == totals[target]:
            position = tallies[-1]["position"]
        else:
            position = index + 1
        tallies.append(
            {
                "target_type": ballot.target,
                "target_id": target,
                "label": labels[target],
                "total": totals[target],
                "supporters": len(supporters[target]),
                "position": position,
            }
        )
    return tallies


def _support_rows(votes: QuerySet[Vote], field: str) -> dict[int, tuple[int, int]]:
    """(total, distinct supporters) per value of `field`, added up by the database."""
    rows = (
        votes.values(field)
        .annotate(total=Sum("weight"), people=Count("participant", distinct=True))
        .values_list(field, "total", "people")
    )
    return {key: (total, people) for key, total, people in rows if key is not None}


def _recount(
    votes: QuerySet[Vote], group_of: dict[int, int], groups: set[int]
) -> dict[int, tuple[int, int]]:
    """Exact (total, distinct supporters) for a few groups of ideas, read vote by vote."""
    involved = [idea for idea, group in group_of.items() if group in groups]
    totals: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    rows = votes.filter(idea_id__in=involved).values_list("idea_id", "participant_id", "weight")
    for idea_id, participant_id, weight in rows:
        group = group_of[idea_id]
        totals[group] += weight
        people[group].add(participant_id)
    return {group: (totals[group], len(people[group])) for group in totals}


def support_by_target(*, ballot: Ballot) -> dict[int, tuple[int, int]]:
    """Each idea or cluster voted on → (total, distinct supporters), counted as tallies_of does.

    Aggregated in the database, so a workshop of 100,000 votes is not read vote by vote;
    only the ideas that other ideas were merged into are counted one vote at a time.
    Items not on the wall are included: the reader decides what to show.
    """
    if ballot.pk is None:
        return {}
    votes = Vote.objects.filter(ballot=ballot)
    if ballot.target == Ballot.Target.CLUSTERS:
        return _support_rows(votes.filter(cluster__isnull=False), "cluster_id")
    final = merge_targets(workshop=ballot.workshop)
    moved = [idea for idea, target in final.items() if idea != target]
    support = _support_rows(votes.filter(idea__isnull=False).exclude(idea_id__in=moved), "idea_id")
    if moved:
        support.update(_recount(votes, final, {final[idea] for idea in moved}))
    return support


def support_by_cluster(*, ballot: Ballot) -> dict[int, tuple[int, int]]:
    """When the room voted on ideas: each cluster → (votes on its ideas, distinct supporters).

    A supporter of two ideas in one cluster counts once; a merged idea's votes count for
    the cluster of the idea it joined. Only ideas on the wall count.
    """
    if ballot.pk is None or ballot.target != Ballot.Target.IDEAS:
        return {}
    workshop = ballot.workshop
    votes = Vote.objects.filter(ballot=ballot, idea__isnull=False)
    support = _support_rows(
        votes.filter(idea__status=Idea.Status.PUBLISHED, idea__cluster__isnull=False),
        "idea__cluster_id",
    )
    final = merge_targets(workshop=workshop)
    moved = [idea for idea, target in final.items() if idea != target]
    if moved:
        cluster_of = dict(
            Idea.objects.filter(
                workshop=workshop, status=Idea.Status.PUBLISHED, cluster__isnull=False
            ).values_list("pk", "cluster_id")
        )
        group_of = {
            idea: cluster_of[target] for idea, target in final.items() if target in cluster_of
        }
        affected = {group_of[idea] for idea in moved if idea in group_of}
        support.update(_recount(votes, group_of, affected))
    return support


def voter_count(*, ballot: Ballot) -> int:
    """How many participants have at least one vote on the ballot."""
    if ballot.pk is None:  # the default rules, not saved until the facilitator sets some
        return 0
    return Vote.objects.filter(ballot=ballot).values("participant").distinct().count()


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The voting part of the room's snapshot: rules, your own ballot, tallies you may see."""
    workshop = actor.workshop

    def read_rules() -> tuple[Ballot, dict[str, Any]]:
        ballot = ballot_of(workshop=workshop)
        ballot.workshop = workshop
        may_see_tallies = ballot.tallies_public or actor.role is Role.FACILITATOR
        # Taken before the tallies are read, and kept with them: a screen keeps the
        # newer of this and a tally event, so a kept part never outranks a fresh event.
        as_of = tallies_as_of()
        rules = {
            "ballot": ballot_as_dict(ballot),
            "tallies": tallies_of(ballot=ballot) if may_see_tallies else None,
            "tallies_as_of": as_of,
        }
        return ballot, rules

    ballot, rules = room_part(
        workshop_id=workshop.pk, role=actor.role, name="voting", read=read_rules
    )
    part: dict[str, Any] = {**rules, "mine": None, "voters": None}
    if actor.role is Role.CITIZEN and actor.participant is not None and actor.just_joined:
        # Nobody has voted as a participant created in this request (workshops.actors).
        part["mine"] = own_ballot_as_dict(
            votes=[], remaining=remaining_of(ballot=ballot, votes=[]), revision=0
        )
    elif actor.role is Role.CITIZEN and actor.participant is not None:
        part["mine"] = own_ballot(ballot=ballot, participant=actor.participant)
    else:
        # The screens that show the room how many have voted (the projector); a phone
        # joining needs no extra query for it.
        part["voters"] = voter_count(ballot=ballot)
    return {"voting": part}
