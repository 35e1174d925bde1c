"""Reads of the challenges, for its own pages and for the apps that build on proposals.

Other apps (statuses, notices) find a proposal, its author and its supporters here:
`proposal_by_id`, `citizen_by_key`, `citizen_from_session`, `proposals_by_citizen`,
`proposal_supporters`, `proposal_page_url`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from administrations.selectors import administration_is_member
from ideas.models import Cluster, Idea
from ideas.suggestions import SimilarityIndex
from workshops.http import id_from_path

from .models import Challenge, ChallengeLog, Citizen, Proposal, Support

SESSION_CITIZEN_KEY = "challenges.citizen"
SIMILAR_LIMIT = 3
SIMILAR_CANDIDATES = 2000


def citizen_by_key(*, key: str) -> Citizen | None:
    if not isinstance(key, str) or not key or len(key) > 64:
        return None
    return Citizen.objects.filter(key=key).first()


def citizen_from_session(*, session: Any) -> Citizen | None:
    """The phone's citizen if it has written or supported anything; None otherwise."""
    key = session.get(SESSION_CITIZEN_KEY)
    return citizen_by_key(key=key) if isinstance(key, str) else None


def proposal_by_id(*, proposal_id: object) -> Proposal | None:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        return None
    return (
        Proposal.objects.select_related("challenge__administration").filter(pk=proposal_id).first()
    )


def proposal_to_support(*, proposal_id: object) -> Proposal | None:
    """The proposal with its challenge, as a support needs it (its photo left unread).

    One statement, written out once per process: a support storm reads the proposal
    ten thousand times a minute, and composing this read through the ORM (the joined
    columns, the models' default ordering) cost more of a server process than
    running it (py-spy, bench/support_storm.py).
    """
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        return None
    read = _proposal_read()
    with connection.cursor() as cursor:
        cursor.execute(read.sql, [proposal_id])
        row = cursor.fetchone()
    return read.build(list(row)) if row is not None else None


class _ProposalRead:
    """proposal_to_support()'s statement, and how to make the models of its row."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.proposal = [f for f in Proposal._meta.concrete_fields if f.name != "photo"]
        self.challenge = list(Challenge._meta.concrete_fields)
        columns = [(f, "p") for f in self.proposal] + [(f, "c") for f in self.challenge]
        # Only the models' own table and column names go into it; the id is a parameter.
        selected = ", ".join(f"{alias}.{quote(f.column)}" for f, alias in columns)
        self.sql = (
            f"SELECT {selected} FROM {quote(Proposal._meta.db_table)} p "  # noqa: S608
            f"JOIN {quote(Challenge._meta.db_table)} c ON c.id = p.challenge_id "
            "WHERE p.id = %s"
        )
        # What the ORM would apply to each value read (SQLite's datetimes, for one).
        self.converters: list[tuple[int, list[Any], Any]] = []
        for index, (field, alias) in enumerate(columns):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))

    def build(self, values: list[Any]) -> Proposal:
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        split = len(self.proposal)
        proposal = Proposal.from_db(
            connection.alias, [f.attname for f in self.proposal], values[:split]
        )
        challenge = Challenge.from_db(
            connection.alias, [f.attname for f in self.challenge], values[split:]
        )
        Proposal.challenge.field.set_cached_value(proposal, challenge)
        return proposal


_proposal_reads: dict[str, _ProposalRead] = {}


def _proposal_read() -> _ProposalRead:
    read = _proposal_reads.get(connection.vendor)
    if read is None:
        read = _proposal_reads[connection.vendor] = _ProposalRead()
    return read


def proposal_page_url(*, proposal: Proposal) -> str:
    """The proposal's public page (path only; prefix settings.SITE_URL for a full link)."""
    return proposal.get_absolute_url()


def proposals_by_citizen(*, citizen: Citizen) -> QuerySet[Proposal]:
    """Proposals this phone wrote."""
    return Proposal.objects.filter(author=citizen).select_related("challenge")


def proposals_supported_by(*, citizen: Citizen) -> QuerySet[Proposal]:
    return Proposal.objects.filter(supports__citizen=citizen).select_related("challenge")


def proposal_supporters(*, proposal: Proposal) -> QuerySet[Citizen]:
    """The citizens who support the proposal now (withdrawn supports are gone)."""
    return Citizen.objects.filter(supports__proposal=proposal)


def challenge_by_id(*, challenge_id: object) -> Challenge | None:
    if isinstance(challenge_id, bool) or not isinstance(challenge_id, int):
        return None
    return Challenge.objects.select_related("administration").filter(pk=challenge_id).first()


def challenge_language_of_page(
    *, challenge_id: str = "", proposal_id: str = "", token: str = "", **kwargs: Any
) -> str | None:
    """The language of the challenge a page's address names (by challenge, proposal or link)."""
    if challenge_id:
        found = Challenge.objects.filter(pk=_whole(id_from_path(challenge_id)))
    elif proposal_id:
        found = Challenge.objects.filter(proposals__pk=_whole(id_from_path(proposal_id)))
    elif token:
        found = Challenge.objects.filter(proposals__cosponsor_token=token[:64])
    else:
        return None
    return found.values_list("language", flat=True).first()


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def challenges_open(*, now: datetime | None = None) -> QuerySet[Challenge]:
    now = now or timezone.now()
    return Challenge.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")


def challenges_closed(*, now: datetime | None = None) -> QuerySet[Challenge]:
    return Challenge.objects.filter(closes_at__lte=now or timezone.now()).order_by("-closes_at")


def challenges_upcoming(*, now: datetime | None = None) -> QuerySet[Challenge]:
    return Challenge.objects.filter(opens_at__gt=now or timezone.now()).order_by("opens_at")


def challenge_may_manage(*, challenge: Challenge, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Its owner, a member of its administration, or staff may moderate a challenge."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or challenge.owner_id == user.pk:
        return True
    return administration_is_member(administration=challenge.administration, user=user)


def challenges_managed_by(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    if getattr(user, "is_staff", False):
        return Challenge.objects.all()
    return Challenge.objects.filter(
        Q(owner__pk=user.pk) | Q(administration__members__pk=user.pk)
    ).distinct()


SORTS = ("support", "newest", "closest")


def proposals_public(
    *, challenge: Challenge, sort: str = "support", search: str = ""
) -> list[Proposal]:
    """The public proposals of a challenge: by support, newest, or closest to the threshold.

    "Closest" puts those still below the threshold first, nearest to it first; those
    that reached it follow.
    """
    proposals = Proposal.objects.filter(challenge=challenge, status__in=Proposal.PUBLIC)
    if search:
        for word in search.split()[:8]:
            proposals = proposals.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if sort == "newest":
        return list(proposals.order_by("-published_at", "-pk"))
    if sort == "closest":
        threshold = challenge.threshold
        return sorted(
            proposals.order_by("-support_count", "pk"),
            key=lambda p: (p.support_count >= threshold, threshold - p.support_count),
        )
    return list(proposals.order_by("-support_count", "pk"))


def proposals_held(*, challenge: Challenge) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        challenge=challenge, status__in=[Proposal.Status.HELD, Proposal.Status.HIDDEN]
    ).order_by("created_at")


def challenge_log(*, challenge: Challenge) -> QuerySet[ChallengeLog]:
    return ChallengeLog.objects.filter(challenge=challenge)


def proposals_similar(*, challenge: Challenge, text: str) -> list[Proposal]:
    """Public proposals of the challenge that say nearly what `text` says, best first."""
    candidates = list(
        Proposal.objects.filter(challenge=challenge, status__in=Proposal.SUPPORTABLE).order_by(
            "-support_count"
        )[:SIMILAR_CANDIDATES]
    )
    if not candidates or not text.strip():
        return []
    index = SimilarityIndex.build([f"{p.title} {p.text}" for p in candidates])
    return [candidates[i] for i, _score in index.similar(text, limit=SIMILAR_LIMIT)]


def support_of(*, proposal: Proposal, citizen: Citizen | None) -> Support | None:
    if citizen is None:
        return None
    return Support.objects.filter(proposal=proposal, citizen=citizen).first()


def cosponsor_count(*, proposal: Proposal) -> int:
    return proposal.cosponsorships.count()


@dataclass(frozen=True)
class Progress:
    count: int
    threshold: int
    percent: int  # 0-100, for the progress bar
    reached_at: datetime | None
    # When the threshold would be reached at the pace so far; None when reached or no pace.
    projected_at: datetime | None
    projected_before_closing: bool


def proposal_progress(*, proposal: Proposal, now: datetime | None = None) -> Progress:
    """How far the proposal has come, and when it would get there at the current pace."""
    now = now or timezone.now()
    threshold = proposal.challenge.threshold
    count = proposal.support_count
    projected: datetime | None = None
    if proposal.threshold_reached_at is None and count > 0 and proposal.published_at:
        elapsed = (now - proposal.published_at).total_seconds()
        if elapsed > 0:
            per_second = count / elapsed
            projected = now + timedelta(seconds=math.ceil((threshold - count) / per_second))
    return Progress(
        count=count,
        threshold=threshold,
        percent=min(100, count * 100 // threshold),
        reached_at=proposal.threshold_reached_at,
        projected_at=projected,
        projected_before_closing=projected is not None
        and projected <= proposal.challenge.closes_at,
    )


def console_panel_context(request: Any, actor: Any, context: dict[str, Any]) -> dict[str, Any]:
    """What the console's "open for support" panel offers: open challenges and the room's items."""
    managed = [c for c in challenges_managed_by(user=request.user) if c.is_open()]
    if not managed:
        return {"challenge_choices": []}
    workshop = actor.workshop
    targets = [
        (f"cluster:{cluster.pk}", cluster.name)
        for cluster in Cluster.objects.filter(workshop=workshop).order_by("position", "pk")
    ] + [
        (f"idea:{idea.pk}", idea.text[:80])
        for idea in Idea.objects.filter(
            workshop=workshop, status=Idea.Status.PUBLISHED, cluster__isnull=True
        ).order_by("created_at")[:200]
    ]
    return {"challenge_choices": managed, "challenge_targets": targets}
