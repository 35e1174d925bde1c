"""Every write to voting: check, write under a lock, and publish after commit.

A participant's marks are changed only while their Participant row is locked, so
the budget and per-item checks and the write that follows are one step even when
the same person votes from two tabs on two servers at once. Changing the rules
takes the ballot's lock and then every participant's, so no vote is half-way
through while the rules change under it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas.models import Cluster, Idea
from workshops.actors import Actor, actor_locked, actors_locked, require
from workshops.batching import one_round_trip
from workshops.errors import ActionRefused
from workshops.events import publish, publish_to_participant
from workshops.limits import actor_limit, actors_limited_together, rate_limited
from workshops.models import Participant, Workshop
from workshops.phases import Action
from workshops.registry import Together

from . import tally
from .models import Ballot, Vote, Voter
from .selectors import merge_targets, remaining_of, tallies_as_of, tallies_of
from .serializers import ballot_as_dict, own_ballot_as_dict

logger = logging.getLogger(__name__)

# Bounds a facilitator may choose within; beyond them a room stops making sense.
MAX_DOTS_PER_PARTICIPANT = 50
MAX_RANK_COUNT = 10


@dataclass(frozen=True)
class OwnBallot:
    """What a participant's vote left them with: answered to them and sent to their tabs."""

    votes: list[Vote]
    remaining: int | None
    revision: int

    def as_dict(self) -> dict[str, Any]:
        return own_ballot_as_dict(
            votes=self.votes, remaining=self.remaining, revision=self.revision
        )


def _whole_number(raw: object, message: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ActionRefused("invalid", message)
    return raw


def _require(actor: Actor, action: Action, phase_message: str) -> None:
    """require(), with a wrong-phase message that says when voting is possible."""
    try:
        require(actor, action)
    except ActionRefused as refused:
        if refused.code == "wrong_phase":
            raise ActionRefused("wrong_phase", phase_message) from None
        raise


def _ensure_ballot(workshop: Workshop) -> Ballot:
    ballot, _created = Ballot.objects.get_or_create(workshop=workshop)
    return ballot


# --- The facilitator's side -------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    method: str
    target: str
    dots_per_participant: int
    max_dots_per_item: int
    rank_count: int
    show_live: bool


def _rules(
    *,
    method: object,
    target: object,
    dots_per_participant: object,
    max_dots_per_item: object,
    rank_count: object,
    show_live: object,
) -> Rules:
    if method not in Ballot.Method.values:
        raise ActionRefused("invalid", _("Choose one of the voting methods."))
    if target not in Ballot.Target.values:
        raise ActionRefused("invalid", _("Choose whether people vote on ideas or on clusters."))
    dots = _whole_number(dots_per_participant, _("The dots per person must be a whole number."))
    per_item = _whole_number(max_dots_per_item, _("The dots per item must be a whole number."))
    ranks = _whole_number(rank_count, _("The number to rank must be a whole number."))
    if not 1 <= dots <= MAX_DOTS_PER_PARTICIPANT:
        raise ActionRefused(
            "invalid",
            ngettext(
                "Give each person between 1 and %(limit)d dot.",
                "Give each person between 1 and %(limit)d dots.",
                MAX_DOTS_PER_PARTICIPANT,
            )
            % {"limit": MAX_DOTS_PER_PARTICIPANT},
        )
    if not 1 <= per_item <= dots:
        raise ActionRefused(
            "invalid", _("The dots allowed on one item must be between 1 and the dots per person.")
        )
    if not 1 <= ranks <= MAX_RANK_COUNT:
        raise ActionRefused(
            "invalid",
            ngettext(
                "People can rank between 1 and %(limit)d item.",
                "People can rank between 1 and %(limit)d items.",
                MAX_RANK_COUNT,
            )
            % {"limit": MAX_RANK_COUNT},
        )
    if not isinstance(show_live, bool):
        raise ActionRefused("invalid", _("Say whether tallies are shown live."))
    return Rules(str(method), str(target), dots, per_item, ranks, show_live)


@transaction.atomic
def ballot_configure(
    *,
    actor: Actor,
    method: object,
    target: object,
    dots_per_participant: object,
    max_dots_per_item: object,
    rank_count: object,
    show_live: object,
    clear_votes: bool = False,
) -> tuple[Ballot, int]:
    """Set the workshop's voting rules; returns the ballot and how many votes were cleared.

    Once votes exist, rules they were cast under change only with `clear_votes`, which
    removes every vote in the room (and hides the tallies again) in the same step.
    """
    _require(
        actor, Action.CONFIGURE_VOTING, _("Voting rules can only be changed before voting ends.")
    )
    rules = _rules(
        method=method,
        target=target,
        dots_per_participant=dots_per_participant,
        max_dots_per_item=max_dots_per_item,
        rank_count=rank_count,
        show_live=show_live,
    )
    _ensure_ballot(actor.workshop)
    ballot = (
        Ballot.objects.select_for_update(no_key=True)
        .select_related("workshop")
        .get(workshop=actor.workshop)
    )
    # Wait for every vote in flight, and hold new ones back until the rules are in.
    list(
        Participant.objects.select_for_update(no_key=True)
        .filter(workshop=actor.workshop)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    shaping = ("method", "target", "dots_per_participant", "max_dots_per_item", "rank_count")
    reshaped = any(getattr(ballot, name) != getattr(rules, name) for name in shaping)
    # Once the room has watched live tallies, hiding them needs a fresh vote.
    hides_seen_tallies = ballot.show_live and not rules.show_live
    if not reshaped and rules.show_live == ballot.show_live:
        return ballot, 0
    voter_ids = sorted(
        set(Vote.objects.filter(ballot=ballot).values_list("participant", flat=True))
    )
    if voter_ids and (reshaped or hides_seen_tallies) and not clear_votes:
        raise ActionRefused(
            "conflict",
            ngettext(
                "%(count)d person has voted under the current rules. "
                "Clear the votes to change the rules.",
                "%(count)d people have voted under the current rules. "
                "Clear the votes to change the rules.",
                len(voter_ids),
            )
            % {"count": len(voter_ids)},
        )
    cleared = 0
    if voter_ids and (reshaped or hides_seen_tallies):
        cleared, _by_model = Vote.objects.filter(ballot=ballot).delete()
        ballot.revealed_at = None
    shown_to_change = ballot.show_live != rules.show_live
    for name in (*shaping, "show_live"):
        setattr(ballot, name, getattr(rules, name))
    ballot.revision += 1
    ballot.save()
    publish(ballot.workshop, "voting.configured", {"ballot": ballot_as_dict(ballot)})
    if cleared:
        empty_remaining = remaining_of(ballot=ballot, votes=[])
        for participant_id in voter_ids:
            voter, _created = Voter.objects.get_or_create(participant_id=participant_id)
            voter.revision += 1
            voter.save(update_fields=["revision"])
            publish_to_participant(
                participant_id,
                "ballot.updated",
                own_ballot_as_dict(votes=[], remaining=empty_remaining, revision=voter.revision),
            )
    if cleared or shown_to_change:
        # Who may see the tallies, or what they hold, has changed: tell the room.
        workshop_id = ballot.workshop.pk
        transaction.on_commit(lambda: tally.tally_soon(workshop_id))
    return ballot, cleared


@transaction.atomic
def tallies_reveal(*, actor: Actor) -> Ballot:
    """Show the tallies to the whole room (the projector, observers and every phone)."""
    _require(actor, Action.REVEAL_TALLIES, _("Tallies can be revealed once voting has started."))
    _ensure_ballot(actor.workshop)
    ballot = (
        Ballot.objects.select_for_update(no_key=True)
        .select_related("workshop")
        .get(workshop=actor.workshop)
    )
    if ballot.revealed_at is None:
        ballot.revealed_at = timezone.now()
        ballot.revision += 1
        ballot.save(update_fields=["revealed_at", "revision"])
    as_of = tallies_as_of()
    publish(
        ballot.workshop,
        "tallies.revealed",
        {"ballot": ballot_as_dict(ballot), "tallies": tallies_of(ballot=ballot), "as_of": as_of},
    )
    return ballot


# --- The participant's side -------------------------------------------------------------


@dataclass
class _Voting:
    """Everything a vote is checked against, read after the participant's lock is held."""

    ballot: Ballot
    participant: Participant
    votes: list[Vote]
    # Each idea voted on -> the idea it was merged into, if it was.
    merged_into: dict[int, int | None]


# The hot path of a busy room is written out: composing these through the ORM on every
# vote cost several times what running them does (docs/deploy.md, the profiles).
_VOTE_TABLE = Vote._meta.db_table
_IDEA_TABLE = Idea._meta.db_table
# An own vote as the hot path reads it; `updated_at` stays unread (deferred).
_OWN_VOTE_FIELDS = ["id", "ballot_id", "participant_id", "idea_id", "cluster_id", "weight", "rank"]
_OWN_VOTES = (
    f"SELECT v.id, v.ballot_id, v.participant_id, v.idea_id, v.cluster_id, v.weight, "  # noqa: S608
    f"v.rank, i.merged_into_id FROM {_VOTE_TABLE} v "
    f"LEFT JOIN {_IDEA_TABLE} i ON i.id = v.idea_id "
    "WHERE v.ballot_id = %s AND v.participant_id = %s ORDER BY v.id"
)
_IDEA_STATUS = f"SELECT status FROM {_IDEA_TABLE} WHERE id = %s AND workshop_id = %s"  # noqa: S608
_VOTE_INSERT = (
    f"INSERT INTO {_VOTE_TABLE} "  # noqa: S608
    "(ballot_id, participant_id, idea_id, cluster_id, weight, rank, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


def _begin_vote(actor: Actor, method: str) -> _Voting:
    """Lock the participant's ballot paper and read the rules and the room as they are now.

    The actor kept by the socket may be stale (a phase changed, a facilitator muted
    them): everything checked here is read in one statement under the lock.
    Precondition: inside a transaction.
    """
    phase_message = _("Voting is open only while the room is in the vote phase.")
    # The actor comes from the session; a participant of another room is nobody here.
    if actor.participant is None or actor.participant.workshop_id != actor.workshop.pk:
        _require(actor, Action.CAST_VOTE, phase_message)
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    current, ballot = actor_locked(actor, room_part=Ballot)
    _require(current, Action.CAST_VOTE, phase_message)
    locked = current.participant
    if locked is None:
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    # Per participant and per address, counted in the cache (workshops/limits.py).
    actor_limit(actor=current, kind="vote")
    workshop = current.workshop
    if ballot is None:
        ballot = _ensure_ballot(workshop)
    ballot.workshop = workshop
    if ballot.method != method:
        raise ActionRefused(
            "conflict",
            _("This room now votes by %(method)s. Reload to see the new ballot.")
            % {"method": Ballot.Method(ballot.method).label},
        )
    # With each voted idea: whether it was merged away decides if a merge check is needed.
    with connection.cursor() as cursor:
        cursor.execute(_OWN_VOTES, [ballot.pk, locked.pk])
        rows = cursor.fetchall()
    votes = [Vote.from_db(connection.alias, _OWN_VOTE_FIELDS, row[:-1]) for row in rows]
    merged_into = {row[3]: row[-1] for row in rows if row[3] is not None}
    return _Voting(ballot=ballot, participant=locked, votes=votes, merged_into=merged_into)


def _target_kind(ballot: Ballot, target_type: object) -> None:
    if target_type != ballot.target:
        if ballot.target == Ballot.Target.IDEAS:
            raise ActionRefused("invalid", _("In this room you vote on ideas."))
        raise ActionRefused("invalid", _("In this room you vote on clusters."))


@dataclass(frozen=True)
class _Target:
    """An idea or a cluster to vote on, found in this workshop and on the wall."""

    kind: str
    pk: int


def _target(voting: _Voting, target_type: object, target_id: object) -> _Target:
    """The idea or cluster to vote on: in this workshop, and on the wall."""
    ballot = voting.ballot
    _target_kind(ballot, target_type)
    if isinstance(target_id, bool) or not isinstance(target_id, int):
        raise ActionRefused("invalid", _("Choose an item on the wall to vote on."))
    if ballot.target == Ballot.Target.CLUSTERS:
        if not Cluster.objects.filter(pk=target_id, workshop_id=ballot.workshop_id).exists():
            raise ActionRefused("not_found", _("That cluster does not exist."))
        return _Target(Ballot.Target.CLUSTERS, target_id)
    with connection.cursor() as cursor:
        cursor.execute(_IDEA_STATUS, [target_id, ballot.workshop_id])
        row = cursor.fetchone()
    return _idea_on_wall(target_id, row[0] if row is not None else None)


def _idea_on_wall(idea_id: int, status: str | None) -> _Target:
    """The idea to vote on, given its status in this workshop (None: not in it)."""
    if status is None:
        raise ActionRefused("not_found", _("That idea does not exist."))
    if status == Idea.Status.MERGED:
        raise ActionRefused(
            "invalid", _("That idea was merged into another; vote for that one instead.")
        )
    if status != Idea.Status.PUBLISHED:
        raise ActionRefused("not_found", _("That idea is not on the wall."))
    return _Target(Ballot.Target.IDEAS, idea_id)


def _own_vote(voting: _Voting, target_type: object, target_id: object) -> Vote | None:
    for vote in voting.votes:
        if vote.target_type == target_type and vote.target_id == target_id:
            return vote
    return None


def _new_vote(voting: _Voting, target: _Target, weight: int, rank: int | None) -> Vote:
    on_idea = target.kind == Ballot.Target.IDEAS
    vote = Vote(
        ballot_id=voting.ballot.pk,
        participant_id=voting.participant.pk,
        idea_id=target.pk if on_idea else None,
        cluster_id=None if on_idea else target.pk,
        weight=weight,
        rank=rank,
        updated_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _VOTE_INSERT,
            [
                vote.ballot_id,
                vote.participant_id,
                vote.idea_id,
                vote.cluster_id,
                weight,
                rank,
                connection.ops.adapt_datetimefield_value(vote.updated_at),
            ],
        )
        row = cursor.fetchone()
    vote.pk = row[0]
    vote._state.adding = False
    vote._state.db = connection.alias
    voting.votes.append(vote)
    return vote


def _reweigh(voting: _Voting, vote: Vote, weight: int) -> None:
    """Put `weight` on an own vote; 0 takes it away."""
    if weight == 0:
        vote.delete()
        voting.votes.remove(vote)
        return
    vote.weight = weight
    vote.updated_at = timezone.now()
    vote.save(update_fields=["weight", "updated_at"])


def _revision_bumped(participant: Participant) -> int:
    """The participant's paper's next revision, in one statement however often they vote."""
    table = connection.ops.quote_name(Voter._meta.db_table)
    with connection.cursor() as cursor:
        # An upsert with RETURNING (PostgreSQL, SQLite 3.35+): the Voter row is made by
        # the first vote, and every later one reads and bumps it in the same statement.
        cursor.execute(
            f"INSERT INTO {table} (participant_id, revision) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (participant_id) DO UPDATE SET revision = {table}.revision + 1 "
            "RETURNING revision",
            [participant.pk],
        )
        row = cursor.fetchone()
    return int(row[0])


def _finish_vote(voting: _Voting) -> OwnBallot:
    """Bump the paper's revision, tell the participant's tabs, and ask for a room tally.

    The own votes are those read under the lock with this vote's change made to them,
    not read again.
    """
    own = OwnBallot(
        votes=list(voting.votes),
        remaining=remaining_of(ballot=voting.ballot, votes=voting.votes),
        revision=_revision_bumped(voting.participant),
    )
    publish_to_participant(
        voting.participant.pk,
        "ballot.updated",
        own.as_dict(),
        workshop_id=voting.ballot.workshop_id,
    )
    workshop_id = voting.ballot.workshop.pk
    transaction.on_commit(lambda: tally.tally_soon(workshop_id))
    return own


def _unchanged(voting: _Voting) -> OwnBallot:
    revision = Voter.objects.filter(participant=voting.participant).values_list(
        "revision", flat=True
    )
    return OwnBallot(
        votes=voting.votes,
        remaining=remaining_of(ballot=voting.ballot, votes=voting.votes),
        revision=revision.first() or 0,
    )


def _dots_fit(voting: _Voting, target: _Target, current: int, count: int) -> None:
    """Refuse moving the dots on `target` from `current` to `count` past the cap or budget.

    The one check of vote_set() and of a batch's votes (votes_set_together).
    """
    ballot = voting.ballot
    on_item = current
    merged_away = any(
        idea_id != target.pk and merged_into for idea_id, merged_into in voting.merged_into.items()
    )
    # Dots on ideas merged into this one are dots on this one; only an idea of this
    # participant's that was merged away can be one of those.
    if target.kind == Ballot.Target.IDEAS and merged_away:
        final = merge_targets(workshop=ballot.workshop)
        on_item = (
            sum(
                vote.weight
                for vote in voting.votes
                if vote.idea_id is not None
                and vote.idea_id != target.pk
                and final.get(vote.idea_id) == target.pk
            )
            + current
        )
    if on_item - current + count > ballot.max_dots_per_item:
        raise ActionRefused(
            "invalid",
            ngettext(
                "At most %(limit)d dot can go on one item.",
                "At most %(limit)d dots can go on one item.",
                ballot.max_dots_per_item,
            )
            % {"limit": ballot.max_dots_per_item},
        )
    remaining = remaining_of(ballot=ballot, votes=voting.votes) or 0
    if count - current > remaining:
        raise ActionRefused(
            "conflict",
            ngettext("You have %(count)d dot left.", "You have %(count)d dots left.", remaining)
            % {"count": remaining},
        )


@transaction.atomic
def vote_set(*, actor: Actor, target_type: object, target_id: object, dots: object) -> OwnBallot:
    """Put exactly `dots` of the participant's dots on one idea or cluster (0 takes them back).

    Setting a count rather than adding one makes a resend, or the same tap from a
    second tab, land once.
    """
    count = _whole_number(dots, _("Say how many dots, as a whole number."))
    voting = _begin_vote(actor, Ballot.Method.DOTS)
    ballot = voting.ballot
    _target_kind(ballot, target_type)
    if count < 0:
        raise ActionRefused("invalid", _("The number of dots cannot be negative."))
    existing = _own_vote(voting, target_type, target_id)
    current = existing.weight if existing is not None else 0
    if count == current:
        return _unchanged(voting)
    if count < current and existing is not None:
        # Taking dots back is always possible, even from an idea since merged or hidden.
        _reweigh(voting, existing, count)
        return _finish_vote(voting)
    target = _target(voting, target_type, target_id)
    _dots_fit(voting, target, current, count)
    if existing is None:
        _new_vote(voting, target, count, None)
    else:
        _reweigh(voting, existing, count)
    return _finish_vote(voting)


def _approved_checked(approved: object) -> bool:
    """What vote_approve() checks of `approved` before it counts the vote."""
    if not isinstance(approved, bool):
        raise ActionRefused("invalid", _("Say whether you approve, as true or false."))
    return approved


def _order_checked(order: object) -> list[int]:
    """What vote_rank() checks of `order` before it counts the vote."""
    if not isinstance(order, list) or any(
        isinstance(item, bool) or not isinstance(item, int) for item in order
    ):
        raise ActionRefused("invalid", _("Send your ranking as a list of items."))
    if len(set(order)) != len(order):
        raise ActionRefused("invalid", _("Each item can appear only once in your ranking."))
    return order


def _ranking_fits(ballot: Ballot, order: list[int]) -> None:
    if len(order) > ballot.rank_count:
        raise ActionRefused(
            "invalid",
            ngettext(
                "Rank at most %(count)d item.", "Rank at most %(count)d items.", ballot.rank_count
            )
            % {"count": ballot.rank_count},
        )


def _ranked(votes: list[Vote]) -> list[int]:
    """The items of a ranking, top choice first."""
    return [vote.target_id for vote in sorted(votes, key=lambda vote: vote.rank or 0)]


@transaction.atomic
def vote_approve(
    *, actor: Actor, target_type: object, target_id: object, approved: object
) -> OwnBallot:
    """Mark (or unmark) one idea or cluster as acceptable; any number may be marked."""
    _approved_checked(approved)
    voting = _begin_vote(actor, Ballot.Method.APPROVAL)
    _target_kind(voting.ballot, target_type)
    existing = _own_vote(voting, target_type, target_id)
    if approved == (existing is not None):
        return _unchanged(voting)
    if existing is not None:
        _reweigh(voting, existing, 0)
        return _finish_vote(voting)
    target = _target(voting, target_type, target_id)
    _new_vote(voting, target, 1, None)
    return _finish_vote(voting)


@transaction.atomic
def vote_rank(*, actor: Actor, target_type: object, order: object) -> OwnBallot:
    """Replace the participant's ranking with `order` (top choice first); [] clears it."""
    order = _order_checked(order)
    voting = _begin_vote(actor, Ballot.Method.RANKING)
    ballot = voting.ballot
    _target_kind(ballot, target_type)
    _ranking_fits(ballot, order)
    if _ranked(voting.votes) == order:
        return _unchanged(voting)
    targets = [_target(voting, target_type, target_id) for target_id in order]
    Vote.objects.filter(pk__in=[vote.pk for vote in voting.votes]).delete()
    voting.votes = []
    for index, target in enumerate(targets):
        # The top choice earns as many points as there are places; the last place one.
        _new_vote(voting, target, ballot.rank_count - index, index + 1)
    return _finish_vote(voting)


# --- Votes that arrive together -----------------------------------------------------------
#
# A busy room's votes arrive by the hundred a second. Carried out one by one, each costs
# five statements and a savepoint with its release, and on PostgreSQL each statement
# is a round trip the batch waits for. Here a batch's votes of one method (dots,
# approval or ranking) are carried out together: one round trip reads everyone's
# standing, room and ballot (locking their papers in the order of their ids), their
# own votes, their revisions and the ideas voted on; each vote is then decided in
# turn, exactly as vote_set(), vote_approve() or vote_rank() decides it, against what
# the votes before it left; and one round trip writes what changed. A participant's
# papers stay locked from the read until the batch commits, so the checks and the
# writes are still one step.

_OWN_VOTES_OF_MANY = (
    f"SELECT v.id, v.ballot_id, v.participant_id, v.idea_id, v.cluster_id, v.weight, "  # noqa: S608
    f"v.rank, i.merged_into_id FROM {_VOTE_TABLE} v "
    f"LEFT JOIN {_IDEA_TABLE} i ON i.id = v.idea_id "
    "WHERE v.participant_id IN ({marks}) ORDER BY v.id"
)
_REVISIONS_OF_MANY = (
    f"SELECT participant_id, revision FROM {Voter._meta.db_table} "  # noqa: S608
    "WHERE participant_id IN ({marks})"
)
_IDEAS_STATUS = f"SELECT id, workshop_id, status FROM {_IDEA_TABLE} WHERE id IN ({{marks}})"  # noqa: S608
_CLUSTERS_OF = f"SELECT id, workshop_id FROM {Cluster._meta.db_table} WHERE id IN ({{marks}})"  # noqa: S608
_VOTES_DELETE = f"DELETE FROM {_VOTE_TABLE} WHERE id IN ({{marks}})"  # noqa: S608
_VOTE_REWEIGH = f"UPDATE {_VOTE_TABLE} SET weight = %s, updated_at = %s WHERE id = %s"  # noqa: S608
_VOTE_ADD = (
    f"INSERT INTO {_VOTE_TABLE} "  # noqa: S608
    "(ballot_id, participant_id, idea_id, cluster_id, weight, rank, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
_REVISION_SET = (
    f"INSERT INTO {Voter._meta.db_table} (participant_id, revision) VALUES (%s, %s) "  # noqa: S608
    "ON CONFLICT (participant_id) DO UPDATE SET revision = EXCLUDED.revision"
)


def _marks(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class _Paper:
    """A participant's ballot paper as a batch finds it and leaves it."""

    participant_id: int
    actor: Actor
    ballot: Ballot | None
    votes: list[Vote]
    merged_into: dict[int, int | None]
    revision: int
    # As read: the revision, and each vote's weight, to write only what changed.
    revision_read: int
    read: dict[int, int]


@dataclass(frozen=True)
class _Method:
    """How a batch carries out one method's votes, each as its service alone would."""

    method: str
    # The checks of the frame's own fields the service makes before it counts the vote.
    fields_checked: Callable[[dict[str, Any]], object]
    # The ideas or clusters a vote names (read for the whole batch).
    targets_named: Callable[[dict[str, Any]], list[int]]
    # Decides the vote on the paper (changing it); whether anything changed.
    decide: Callable[[dict[str, Any], _Paper, _Voting, _Found], bool]


@dataclass(frozen=True)
class _Found:
    """The ideas and clusters a batch's votes name, as read under its locks."""

    # Each idea -> its workshop and status.
    ideas: dict[int, tuple[int, str]]
    # Each cluster -> its workshop.
    clusters: dict[int, int]


def _votes_together(items: list[Together], method: _Method) -> list[dict[str, Any] | ActionRefused]:
    """Each item's vote, in order, with the batch's reads and writes shared.

    Precondition: inside a transaction; every item's actor is a participant.
    """
    outcomes: list[dict[str, Any] | ActionRefused] = []
    named: dict[object, set[int]] = {Ballot.Target.IDEAS: set(), Ballot.Target.CLUSTERS: set()}
    for item in items:
        kind = named.get(item.message.get("target_type"))
        if kind is not None:
            with contextlib.suppress(ActionRefused):
                method.fields_checked(item.message)
                kind.update(method.targets_named(item.message))
    ideas = sorted(named[Ballot.Target.IDEAS])
    clusters = sorted(named[Ballot.Target.CLUSTERS])
    actors = [item.actor for item in items]
    ids = sorted({actor.participant.pk for actor in actors if actor.participant is not None})
    with one_round_trip():
        _locked, answer = actors_locked(actors, room_part=Ballot)
        with connection.cursor() as votes_cursor, connection.cursor() as revisions_cursor:
            votes_cursor.execute(_OWN_VOTES_OF_MANY.format(marks=_marks(ids)), ids)
            revisions_cursor.execute(_REVISIONS_OF_MANY.format(marks=_marks(ids)), ids)
            found = _Found({}, {})
            if ideas:
                with connection.cursor() as ideas_cursor:
                    ideas_cursor.execute(_IDEAS_STATUS.format(marks=_marks(ideas)), ideas)
                    rows = ideas_cursor.fetchall()
                found.ideas.update((row[0], (row[1], row[2])) for row in rows)
            if clusters:
                with connection.cursor() as clusters_cursor:
                    clusters_cursor.execute(_CLUSTERS_OF.format(marks=_marks(clusters)), clusters)
                    found.clusters.update(clusters_cursor.fetchall())
            current = answer()
            vote_rows = votes_cursor.fetchall()
            revisions = dict(revisions_cursor.fetchall())
    papers: dict[int, _Paper] = {}
    for pk, (actor, ballot) in current.items():
        revision = int(revisions.get(pk, 0))
        papers[pk] = _Paper(pk, actor, ballot, [], {}, revision, revision, {})
    for row in vote_rows:
        paper = papers[row[2]]
        vote = Vote.from_db(connection.alias, _OWN_VOTE_FIELDS, row[:-1])
        paper.votes.append(vote)
        paper.read[vote.pk] = vote.weight
        if vote.idea_id is not None:
            paper.merged_into[vote.idea_id] = row[-1]
    for paper in papers.values():
        if paper.ballot is not None:
            _keep_votes_of(paper, paper.ballot)
    # The rate limits are counted for the votes that reach them, all at once.
    reaching: list[int] = []
    for index, item in enumerate(items):
        try:
            _standing_checked(item, papers, method)
        except ActionRefused:
            continue
        reaching.append(index)
    counted = actors_limited_together(
        actors=[papers[_participant_pk(items[index])].actor for index in reaching], kind="vote"
    )
    waits = dict(zip(reaching, counted, strict=True))
    rooms: set[int] = set()
    for index, item in enumerate(items):
        with translation.override(item.language or item.actor.workshop.language):
            own = papers.get(getattr(item.actor.participant, "pk", 0))
            before = _paper_state(own)
            try:
                outcomes.append(
                    _decided_on_paper(item, papers, found, rooms, waits.get(index), method)
                )
            except ActionRefused as refused:
                outcomes.append(refused)
            except DatabaseError:
                raise  # the batch carries each out again alone
            except Exception:
                # A fault of ours in this vote alone: it changes nothing, the others count.
                logger.exception("a vote of a batch failed")
                _paper_restore(own, before)
                message = _("Something went wrong on our side; nothing changed. Try again.")
                outcomes.append(ActionRefused("server_error", message))
    _write_papers(list(papers.values()))
    for workshop_id in sorted(rooms):
        transaction.on_commit(partial(tally.tally_soon, workshop_id))
    return outcomes


def _paper_state(paper: _Paper | None) -> Any:
    if paper is None:
        return None
    return list(paper.votes), [vote.weight for vote in paper.votes], paper.revision


def _paper_restore(paper: _Paper | None, state: Any) -> None:
    if paper is None or state is None:
        return
    votes, weights, revision = state
    paper.votes[:] = votes
    for vote, weight in zip(votes, weights, strict=True):
        vote.weight = weight
    paper.revision = revision


def _keep_votes_of(paper: _Paper, ballot: Ballot) -> None:
    """Keep on the paper only its votes on this ballot (a participant has no other)."""
    paper.votes[:] = [vote for vote in paper.votes if vote.ballot_id == ballot.pk]
    kept = {vote.pk for vote in paper.votes}
    paper.read = {pk: weight for pk, weight in paper.read.items() if pk in kept}
    kept_ideas = {vote.idea_id for vote in paper.votes}
    paper.merged_into = {
        idea: into for idea, into in paper.merged_into.items() if idea in kept_ideas
    }


def _participant_pk(item: Together) -> int:
    return item.actor.participant.pk if item.actor.participant is not None else 0


def _standing_checked(
    item: Together, papers: dict[int, _Paper], method: _Method
) -> tuple[_Paper, Participant]:
    """The checks the vote's service makes before it counts the vote against the rate limits."""
    actor = item.actor
    method.fields_checked(item.message)
    phase_message = _("Voting is open only while the room is in the vote phase.")
    if actor.participant is None or actor.participant.workshop_id != actor.workshop.pk:
        _require(actor, Action.CAST_VOTE, phase_message)
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    paper = papers[actor.participant.pk]
    _require(paper.actor, Action.CAST_VOTE, phase_message)
    locked = paper.actor.participant
    if locked is None:
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    return paper, locked


def _decided_on_paper(
    item: Together,
    papers: dict[int, _Paper],
    found: _Found,
    rooms: set[int],
    wait: int | None,
    method: _Method,
) -> dict[str, Any]:
    """One vote decided as its service decides it, against the paper as earlier votes left it.

    `wait` is what the vote's rate limits answered (workshops.limits.actors_limited_together).
    """
    paper, locked = _standing_checked(item, papers, method)
    if wait is not None:
        raise rate_limited(wait)
    workshop = paper.actor.workshop
    if paper.ballot is None:
        paper.ballot = _ensure_ballot(workshop)
        # Votes read before there was a ballot belong to it, whoever made it meanwhile.
        _keep_votes_of(paper, paper.ballot)
    ballot = paper.ballot
    ballot.workshop = workshop
    if ballot.method != method.method:
        raise ActionRefused(
            "conflict",
            _("This room now votes by %(method)s. Reload to see the new ballot.")
            % {"method": Ballot.Method(ballot.method).label},
        )
    voting = _Voting(
        ballot=ballot, participant=locked, votes=paper.votes, merged_into=paper.merged_into
    )
    changed = method.decide(item.message, paper, voting, found)
    if changed:
        rooms.add(workshop.pk)
    return _paper_answer(paper, changed=changed)


def _dots_decided(
    message: dict[str, Any],
    paper: _Paper,
    voting: _Voting,
    found: _Found,
) -> bool:
    """vote_set()'s decision, on the paper."""
    count = _whole_number(message["dots"], _("Say how many dots, as a whole number."))
    target_type, target_id = message["target_type"], message["target_id"]
    _target_kind(voting.ballot, target_type)
    if count < 0:
        raise ActionRefused("invalid", _("The number of dots cannot be negative."))
    existing = _own_vote(voting, target_type, target_id)
    weight = existing.weight if existing is not None else 0
    if count == weight:
        return False
    if count < weight and existing is not None:
        _reweigh_on_paper(paper, existing, count)
        return True
    target = _target_known(voting, target_type, target_id, found)
    _dots_fit(voting, target, weight, count)
    if existing is None:
        paper.votes.append(_vote_on_paper(voting, target, count, None))
    else:
        _reweigh_on_paper(paper, existing, count)
    return True


def _approval_decided(
    message: dict[str, Any],
    paper: _Paper,
    voting: _Voting,
    found: _Found,
) -> bool:
    """vote_approve()'s decision, on the paper."""
    approved = _approved_checked(message["approved"])
    target_type, target_id = message["target_type"], message["target_id"]
    _target_kind(voting.ballot, target_type)
    existing = _own_vote(voting, target_type, target_id)
    if approved == (existing is not None):
        return False
    if existing is not None:
        # Taking a mark back is always possible, even from an idea since merged or hidden.
        _reweigh_on_paper(paper, existing, 0)
        return True
    target = _target_known(voting, target_type, target_id, found)
    paper.votes.append(_vote_on_paper(voting, target, 1, None))
    return True


def _ranking_decided(
    message: dict[str, Any],
    paper: _Paper,
    voting: _Voting,
    found: _Found,
) -> bool:
    """vote_rank()'s decision, on the paper: the ranking replaced as a whole."""
    order = _order_checked(message["order"])
    target_type = message["target_type"]
    ballot = voting.ballot
    _target_kind(ballot, target_type)
    _ranking_fits(ballot, order)
    if _ranked(paper.votes) == order:
        return False
    targets = [_target_known(voting, target_type, target_id, found) for target_id in order]
    # The top choice earns as many points as there are places; the last place one.
    paper.votes[:] = [
        _vote_on_paper(voting, target, ballot.rank_count - index, index + 1)
        for index, target in enumerate(targets)
    ]
    return True


def _vote_on_paper(voting: _Voting, target: _Target, weight: int, rank: int | None) -> Vote:
    """A new vote, written with the batch's other changes (_write_papers)."""
    on_idea = target.kind == Ballot.Target.IDEAS
    return Vote(
        ballot_id=voting.ballot.pk,
        participant_id=voting.participant.pk,
        idea_id=target.pk if on_idea else None,
        cluster_id=None if on_idea else target.pk,
        weight=weight,
        rank=rank,
        updated_at=timezone.now(),
    )


def _ranking_named(order: list[int]) -> list[int]:
    # A ranking longer than any ballot's is refused before its ideas are looked up
    # (_ranking_decided): a phone's 8 KB of ids read nothing.
    return list(order) if len(order) <= MAX_RANK_COUNT else []


def _target_named(message: dict[str, Any]) -> list[int]:
    target_id = message.get("target_id")
    return [target_id] if isinstance(target_id, int) and not isinstance(target_id, bool) else []


_DOTS = _Method(
    Ballot.Method.DOTS,
    fields_checked=lambda message: _whole_number(
        message["dots"], _("Say how many dots, as a whole number.")
    ),
    targets_named=_target_named,
    decide=_dots_decided,
)
_APPROVAL = _Method(
    Ballot.Method.APPROVAL,
    fields_checked=lambda message: _approved_checked(message["approved"]),
    targets_named=_target_named,
    decide=_approval_decided,
)
_RANKING = _Method(
    Ballot.Method.RANKING,
    fields_checked=lambda message: _order_checked(message["order"]),
    targets_named=lambda message: _ranking_named(message["order"]),
    decide=_ranking_decided,
)


def votes_set_together(items: list[Together]) -> list[dict[str, Any] | ActionRefused]:
    """vote_set() for each item, in order, with the batch's reads and writes shared.

    Precondition: inside a transaction; every item's actor is a participant.
    """
    return _votes_together(items, _DOTS)


def votes_approve_together(items: list[Together]) -> list[dict[str, Any] | ActionRefused]:
    """vote_approve() for each item, in order, with the batch's reads and writes shared.

    Precondition: inside a transaction; every item's actor is a participant.
    """
    return _votes_together(items, _APPROVAL)


def votes_rank_together(items: list[Together]) -> list[dict[str, Any] | ActionRefused]:
    """vote_rank() for each item, in order, with the batch's reads and writes shared.

    Precondition: inside a transaction; every item's actor is a participant.
    """
    return _votes_together(items, _RANKING)


def _target_known(
    voting: _Voting, target_type: object, target_id: object, found: _Found
) -> _Target:
    """_target(), with the ideas and clusters read for the whole batch."""
    ballot = voting.ballot
    if (
        target_type != ballot.target
        or isinstance(target_id, bool)
        or not isinstance(target_id, int)
    ):
        return _target(voting, target_type, target_id)
    if ballot.target == Ballot.Target.CLUSTERS:
        # A cluster of another workshop is no cluster here.
        if found.clusters.get(target_id) != ballot.workshop_id:
            raise ActionRefused("not_found", _("That cluster does not exist."))
        return _Target(Ballot.Target.CLUSTERS, target_id)
    idea = found.ideas.get(target_id)
    # An idea of another workshop is no idea here.
    status = idea[1] if idea is not None and idea[0] == ballot.workshop_id else None
    return _idea_on_wall(target_id, status)


def _reweigh_on_paper(paper: _Paper, vote: Vote, weight: int) -> None:
    if weight == 0:
        paper.votes.remove(vote)
        return
    vote.weight = weight
    vote.updated_at = timezone.now()


def _paper_answer(paper: _Paper, *, changed: bool) -> dict[str, Any]:
    """The ack's data; a change also bumps the paper's revision and tells the participant's tabs."""
    assert paper.ballot is not None  # noqa: S101 (set before any vote is decided)
    if changed:
        paper.revision += 1
    own = OwnBallot(
        votes=list(paper.votes),
        remaining=remaining_of(ballot=paper.ballot, votes=paper.votes),
        revision=paper.revision,
    )
    if changed:
        publish_to_participant(
            paper.participant_id,
            "ballot.updated",
            own.as_dict(),
            workshop_id=paper.ballot.workshop_id,
        )
    return own.as_dict()


def _write_papers(papers: list[_Paper]) -> None:
    """Write what the batch's votes changed, in one round trip: gone, reweighed, added, revised."""
    gone: list[int] = []
    reweighed: list[list[Any]] = []
    added: list[list[Any]] = []
    revised: list[list[int]] = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for paper in papers:
        kept = {vote.pk for vote in paper.votes if vote.pk is not None}
        gone += [pk for pk in paper.read if pk not in kept]
        for vote in paper.votes:
            if vote.pk is None:
                added.append(
                    [
                        vote.ballot_id,
                        vote.participant_id,
                        vote.idea_id,
                        vote.cluster_id,
                        vote.weight,
                        vote.rank,
                        now,
                    ]
                )
            elif vote.weight != paper.read[vote.pk]:
                reweighed.append([vote.weight, now, vote.pk])
        if paper.revision != paper.revision_read:
            revised.append([paper.participant_id, paper.revision])
    if not (gone or reweighed or added or revised):
        return
    # In this order: a dot taken off an idea and put back in one batch is a delete,
    # then an insert.
    with one_round_trip(), connection.cursor() as cursor:
        if gone:
            cursor.execute(_VOTES_DELETE.format(marks=_marks(gone)), gone)
        if reweighed:
            cursor.executemany(_VOTE_REWEIGH, reweighed)
        if added:
            cursor.executemany(_VOTE_ADD, added)
        if revised:
            cursor.executemany(_REVISION_SET, revised)
