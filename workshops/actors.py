"""Who is acting in a room: resolved afresh from the session and account for every action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import registry
from .errors import ActionRefused
from .models import Participant, Workshop
from .phases import Action, Phase, Role, role_may

# Keys in the Django session; the phone's session is what makes it the same participant.
PARTICIPANTS_SESSION_KEY = "samskab_participants"
OBSERVING_SESSION_KEY = "samskab_observing"


@dataclass(frozen=True)
class Actor:
    role: Role
    workshop: Workshop
    participant: Participant | None = None
    user: Any = None
    # Where the request or socket came from: counted for rate limits, never stored.
    address: str | None = None
    # "muted", "removed" or "erased" once moderation restricted this participant.
    restriction: str = ""

    def may(self, action: Action) -> bool:
        return role_may(role=self.role, action=action, phase=self.workshop.phase)


def actor_resolve(
    *,
    workshop: Workshop,
    user: Any,
    session: Any,
    as_observer: bool = False,
    address: str | None = None,
) -> Actor:
    """The strongest role this person holds in this workshop.

    `as_observer` lets a facilitator open a view (the projector) that shows only what
    the whole room may see.
    """
    if workshop.is_facilitator(user):
        if as_observer:
            return Actor(role=Role.OBSERVER, workshop=workshop, user=user, address=address)
        return Actor(role=Role.FACILITATOR, workshop=workshop, user=user, address=address)
    key = (session.get(PARTICIPANTS_SESSION_KEY) or {}).get(str(workshop.pk))
    if key:
        participant = _participants().filter(workshop=workshop, key=key).first()
        if participant is not None:
            return _citizen(workshop, participant, address)
    if workshop.pk in (session.get(OBSERVING_SESSION_KEY) or []):
        return Actor(role=Role.OBSERVER, workshop=workshop, address=address)
    return Actor(role=Role.OUTSIDER, workshop=workshop, user=user, address=address)


def _participants() -> QuerySet[Participant]:
    # The restriction comes in the same query: every page and socket asks for both.
    queryset = Participant.objects.all()
    for standing in registry.STANDING:
        queryset = queryset.select_related(standing.related)
    return queryset


def _restriction_of(participant: Participant) -> str:
    """'' for a participant in good standing, else 'muted', 'removed' or 'erased'.

    Moderation keeps restrictions and tells the room where (workshops.registry).
    """
    for standing in registry.STANDING:
        return standing.read(participant)
    return ""


def _citizen(workshop: Workshop, participant: Participant, address: str | None) -> Actor:
    """A participant's actor, unless moderation removed them: then they are nobody here."""
    restriction = _restriction_of(participant)
    if restriction in {"removed", "erased"}:
        return Actor(
            role=Role.OUTSIDER, workshop=workshop, address=address, restriction=restriction
        )
    return Actor(
        role=Role.CITIZEN,
        workshop=workshop,
        participant=participant,
        address=address,
        restriction=restriction,
    )


def actor_refresh(actor: Actor) -> Actor:
    """The same actor with workshop and participant read again, so checks see today's state."""
    workshop = Workshop.objects.get(pk=actor.workshop.pk)
    participant = None
    if actor.participant is not None:
        participant = _participants().filter(pk=actor.participant.pk).first()
        if participant is None:
            return Actor(role=Role.OUTSIDER, workshop=workshop, address=actor.address)
        return _citizen(workshop, participant, actor.address)
    if actor.role is Role.FACILITATOR and not workshop.is_facilitator(actor.user):
        return Actor(role=Role.OUTSIDER, workshop=workshop, user=actor.user, address=actor.address)
    return Actor(
        role=actor.role,
        workshop=workshop,
        user=actor.user,
        address=actor.address,
        restriction=actor.restriction,
    )


def actor_locked(actor: Actor, *, with_related: tuple[str, ...] = ()) -> Actor:
    """The actor as the room holds them now, their Participant row locked until commit.

    One statement reads the participant, their standing and the workshop (and the
    participant's `with_related` relations, e.g. the room's ballot), so a hot command
    checks permission against the room as it is now without the three reads of
    actor_refresh(). Precondition: inside a transaction; the actor is a participant.
    """
    if actor.participant is None:
        return actor_refresh(actor)
    found = list(
        _participants()
        # Lock only the participant's row: the workshop's stays free for everyone else.
        .select_for_update(no_key=True, of=("self",))
        .select_related("workshop", *with_related)
        # Unordered: ordering a one-row read costs more to compile than it reads.
        .filter(pk=actor.participant.pk, workshop_id=actor.workshop.pk)[:1]
    )
    participant = found[0] if found else None
    if participant is None:
        return Actor(role=Role.OUTSIDER, workshop=actor.workshop, address=actor.address)
    return _citizen(participant.workshop, participant, actor.address)


_PHASE_MESSAGES = {
    Action.POST_IDEA: _("Ideas can only be posted while the room is collecting ideas."),
    Action.EDIT_OWN_IDEA: _("Ideas can only be changed while the room is collecting ideas."),
    Action.WITHDRAW_OWN_IDEA: _("Ideas can only be withdrawn while the room is collecting ideas."),
    Action.RENAME_SELF: _("Names can only be changed before the room moves on from ideas."),
    Action.JOIN: _("This workshop has closed and takes no new participants."),
    Action.SET_TIMER: _("A closed workshop has no timer."),
    Action.CHANGE_PHASE: _(
        "This workshop has closed, and closed is final: it cannot be opened again."
    ),
}


# What a muted participant may still do: follow the room, and take their data and leave.
_ALLOWED_WHEN_MUTED = frozenset({Action.VIEW_ROOM, Action.ERASE_OWN_DATA})


def require(actor: Actor, action: Action) -> None:
    """Raise ActionRefused unless the actor may take this action now."""
    if actor.restriction == "removed":
        # Not even joining again from the same phone: removed means removed.
        raise ActionRefused("forbidden", _("A facilitator has removed you from this workshop."))
    if actor.restriction == "muted" and action not in _ALLOWED_WHEN_MUTED:
        raise ActionRefused(
            "forbidden",
            _("A facilitator has muted you: you can follow the room, but not post or vote."),
        )
    if actor.may(action):
        return
    allowed_somewhere = any(
        role_may(role=actor.role, action=action, phase=phase) for phase in Phase
    )
    if allowed_somewhere:
        message = _PHASE_MESSAGES.get(action, _("That is not possible in this phase."))
        raise ActionRefused("wrong_phase", message)
    raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
