"""Writes: a department asks; the co-creation team triages; an accepted request starts work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from administrations.models import Administration
from challenges.models import Challenge
from challenges.services import challenge_create
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.services import workshop_create

from .models import CoCreationRequest
from .selectors import is_cocreation_team, request_may_ask

Status = CoCreationRequest.Status
# A challenge made from a request runs until its deadline, or this long without one.
CHALLENGE_DAYS = 30
CHALLENGE_THRESHOLD = 100


def request_submit(
    *, user: AbstractBaseUser, administration: Administration, fields: dict[str, Any]
) -> CoCreationRequest:
    """A member of an administration asks for co-creation."""
    if not request_may_ask(user=user, administration=administration):
        raise ActionRefused("forbidden", _("Only members of an administration ask on its behalf."))
    return CoCreationRequest.objects.create(
        administration=administration, requested_by=cast(Any, user), **fields
    )


def request_update(
    *, user: AbstractBaseUser, request: CoCreationRequest, fields: dict[str, Any]
) -> CoCreationRequest:
    """The department answers the team's question: the request goes back to the team."""
    if not request_may_ask(user=user, administration=request.administration):
        raise ActionRefused("forbidden", _("Only members of the administration change it."))
    if request.status != Status.NEEDS_MORE:
        raise ActionRefused("invalid", _("Only a request the team asked more about is changed."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(request, name, value)
        request.status = Status.SUBMITTED
        request.updated_at = timezone.now()
        request.save()
    return request


def request_triage(
    *, user: AbstractBaseUser, request: CoCreationRequest, decision: str, note: str
) -> CoCreationRequest:
    """Accept, ask for more, or decline with a reason."""
    if not is_cocreation_team(user=user):
        raise ActionRefused("forbidden", _("Only the co-creation team triages requests."))
    if decision not in (Status.ACCEPTED, Status.NEEDS_MORE, Status.DECLINED):
        raise ActionRefused("invalid", _("Accept, ask for more or decline."))
    if request.status not in (Status.SUBMITTED, Status.NEEDS_MORE):
        raise ActionRefused("invalid", _("This request has already been decided."))
    note = note.strip()
    if decision == Status.DECLINED and not note:
        raise ActionRefused("invalid", _("Say why the request is declined."))
    if decision == Status.NEEDS_MORE and not note:
        raise ActionRefused("invalid", _("Say what more you need to know."))
    with transaction.atomic():
        request.status = decision
        request.team_note = note
        request.triaged_by = cast(Any, user)
        request.triaged_at = request.updated_at = timezone.now()
        request.save()
    return request


def _require_accepted(user: AbstractBaseUser, request: CoCreationRequest) -> None:
    if not is_cocreation_team(user=user):
        raise ActionRefused("forbidden", _("Only the co-creation team starts the work."))
    if request.status != Status.ACCEPTED:
        raise ActionRefused("invalid", _("Accept the request first."))


def _context(request: CoCreationRequest) -> str:
    return "\n\n".join([request.current_situation, request.citizens_needs])[:2000]


def request_workshop_create(*, user: AbstractBaseUser, request: CoCreationRequest) -> Workshop:
    """A workshop prefilled from the request: its title, goals as question, situation as context."""
    _require_accepted(user, request)
    with transaction.atomic():
        workshop = workshop_create(
            owner=user,
            title=request.title[:200],
            question=request.goals[:500],
            context=_context(request),
        )
        request.workshops.add(workshop)
    return workshop


def request_challenge_create(*, user: AbstractBaseUser, request: CoCreationRequest) -> Challenge:
    """An open challenge prefilled from the request, for its administration, until its deadline."""
    _require_accepted(user, request)
    opens_at = timezone.now()
    closes_at = opens_at + timedelta(days=CHALLENGE_DAYS)
    deadline: date | None = request.deadline
    if deadline is not None:
        at_end = timezone.make_aware(datetime.combine(deadline, time(23, 59)))
        if at_end > opens_at + timedelta(days=1):
            closes_at = at_end
    with transaction.atomic():
        challenge = challenge_create(
            user=user,
            title=request.title[:200],
            question=request.goals[:500],
            context=_context(request),
            opens_at=opens_at,
            closes_at=closes_at,
            threshold_value=CHALLENGE_THRESHOLD,
            administration=request.administration,
        )
        request.challenges.add(challenge)
    return challenge
