"""Who is acting in a room: resolved afresh from the session and account for every action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, models
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


def actor_locked(actor: Actor, *, room_part: type[models.Model] | None = None) -> tuple[Actor, Any]:
    """The actor as the room holds them now, their Participant row locked until commit.

    Returns the actor and, with `room_part` (a model with a one-to-one field to
    Workshop, such as voting's Ballot), the room's row of it or None. One statement
    reads the participant, their standing, the workshop and that part, so a hot
    command (a vote) checks permission against the room as it is now at the cost of
    one read. The statement is written out once per process (actors._LockedRead):
    composing it through the ORM on every vote cost more than running it.
    Precondition: inside a transaction; the actor is a participant.
    """
    if actor.participant is None:
        return actor_refresh(actor), None
    read = _locked_read(room_part)
    participant, part = read.run(actor.participant.pk, actor.workshop.pk)
    if participant is None:
        return Actor(role=Role.OUTSIDER, workshop=actor.workshop, address=actor.address), None
    return _citizen(participant.workshop, participant, actor.address), part


class _Columns:
    """One model's columns in a hand-written SELECT, and how to make the model of them."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self.sql = [f"{alias}.{connection.ops.quote_name(field.column)}" for field in self.fields]
        # What the ORM would apply to each value read (SQLite's datetimes and booleans).
        self.converters: list[tuple[int, list[Any], Any]] = []
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))

    def build(self, values: list[Any]) -> models.Model | None:
        """The model, or None for a left join that found no row (its key is NULL)."""
        if values[0] is None and self.fields[0].primary_key:
            return None
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


class _LockedRead:
    """actor_locked()'s statement: participant, standing, workshop and a part of the room."""

    def __init__(self, room_part: type[models.Model] | None) -> None:
        quote = connection.ops.quote_name
        self.participant = _Columns(Participant, "p")
        self.workshop = _Columns(Workshop, "w")
        joins = [f"JOIN {quote(Workshop._meta.db_table)} w ON w.id = p.workshop_id"]
        self.standing: tuple[Any, _Columns] | None = None
        for standing in registry.STANDING:
            relation: Any = Participant._meta.get_field(standing.related)
            kept: type[models.Model] = relation.related_model
            joins.append(
                f"LEFT JOIN {quote(kept._meta.db_table)} s "
                f"ON s.{quote(relation.field.column)} = p.id"
            )
            self.standing = (relation, _Columns(kept, "s"))
        self.part: _Columns | None = None
        if room_part is not None:
            [link] = [
                field
                for field in room_part._meta.concrete_fields
                if field.is_relation and field.related_model is Workshop
            ]
            self.part = _Columns(room_part, "r")
            joins.append(
                f"LEFT JOIN {quote(room_part._meta.db_table)} r ON r.{quote(link.column)} = w.id"
            )
        self.groups = [self.participant, self.workshop]
        if self.standing is not None:
            self.groups.append(self.standing[1])
        if self.part is not None:
            self.groups.append(self.part)
        selected = ", ".join(column for group in self.groups for column in group.sql)
        # Lock only the participant's row: the workshop's stays free for everyone else.
        lock = " FOR NO KEY UPDATE OF p" if connection.features.has_select_for_update_of else ""
        self.sql = (
            f"SELECT {selected} FROM {quote(Participant._meta.db_table)} p "  # noqa: S608
            f"{' '.join(joins)} WHERE p.id = %s AND p.workshop_id = %s{lock}"
        )

    def run(self, participant_id: int, workshop_id: int) -> tuple[Participant | None, Any]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [participant_id, workshop_id])
            row = cursor.fetchone()
        if row is None:
            return None, None
        values = list(row)
        built = []
        for group in self.groups:
            built.append(group.build(values[: len(group.names)]))
            del values[: len(group.names)]
        participant: Any = built[0]
        participant.workshop = built[1]
        if self.standing is not None:
            relation, _columns = self.standing
            # None too: asking for a standing that is not there then asks nothing more.
            relation.set_cached_value(participant, built[2])
        return participant, built[-1] if self.part is not None else None


_LOCKED_READS: dict[tuple[str, type[models.Model] | None], _LockedRead] = {}


def _locked_read(room_part: type[models.Model] | None) -> _LockedRead:
    key = (connection.vendor, room_part)
    read = _LOCKED_READS.get(key)
    if read is None:
        read = _LOCKED_READS[key] = _LockedRead(room_part)
    return read


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
