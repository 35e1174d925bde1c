"""Who is acting in a room: resolved from the session and account, and kept by sockets.

A page resolves its actor afresh for every request. A socket keeps its actor between
commands (actor_current): the room's changes to what an actor is checked against
retire it, and the next command reads it again.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

from . import registry
from .errors import ActionRefused
from .models import Participant, Workshop
from .phases import Action, Phase, Role, role_may
from .room_cache import cache_tokens, own_parts_changed


class ParticipantCount(NamedTuple):
    """How many have joined the room, and the id of the newest participant counted.

    Counts can arrive out of order (a join's event held back a second behind a snapshot
    read later, two processes' joins crossing on the bus). A participant stays in the
    room once joined (removal and erasure keep the row), so a room's count only grows
    and screens keep the higher one (docs/protocol.md, *Events*). `as_of` does not order
    counts: on PostgreSQL a join that took a lower id may count after one that took a
    higher id, each without the other.
    """

    total: int
    as_of: int


logger = logging.getLogger(__name__)

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
    # A participant created by this very request: nothing of their own exists yet (no
    # votes, flags, held ideas or consent), so their snapshot need not ask for it.
    just_joined: bool = False
    # For that participant: the room's count as their join read it, so their first
    # snapshot need not count again.
    room_count: ParticipantCount | None = None
    # A socket's kept actor: the standing tokens it was read under, and when
    # (actor_current). None for an actor read for one request.
    stamp: tuple[str, ...] | None = dataclasses.field(default=None, compare=False, repr=False)
    kept_at: float = dataclasses.field(default=0.0, compare=False, repr=False)

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


# --- The actor a socket keeps ------------------------------------------------------------
#
# Reading the actor again for every command cost a socket two or three statements
# per frame. Instead each room, and each participant, has a standing token in the
# cache, replaced once a change to what an actor is checked against commits: the
# workshop's row (its phase, its rules), its facilitators, the participant's row
# and their standing (a mute, an unmute, a removal, an erasure). They are replaced
# before the change's event goes out and before whoever made it is answered, in
# every process at once (the cache is Redis wherever there is more than one), so
# the very next command of anyone in the room, on any server, finds its socket's
# actor retired and reads it again. A token, not a counter: a token evicted or lost
# with a Redis restart comes back as a new one, which retires every actor kept
# under the old.

# A write that sends no signal (a queryset's update(), SQL by hand) holds for a
# socket's commands within this many seconds: the kept actor is read again then.
KEPT_SECONDS = 10.0


def _room_key(workshop_id: int) -> str:
    return f"actor-room:{workshop_id}"


def _participant_key(participant_id: int) -> str:
    return f"actor-participant:{participant_id}"


def _retire(keys: list[str]) -> None:
    cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)


def standing_changed(*, workshop_id: int | None = None, participant_id: int | None = None) -> None:
    """Retire the actors kept for this room or participant, once the transaction commits.

    Called by the room's models' signals (actor_watch); a write that changes what an
    actor is checked against by other means calls it itself.
    """
    keys = []
    if workshop_id is not None:
        keys.append(_room_key(workshop_id))
    if participant_id is not None:
        keys.append(_participant_key(participant_id))
    if keys:
        # Robust: the change has committed whatever the cache says; a token the
        # cache could not take still ends the kept actors within KEPT_SECONDS.
        transaction.on_commit(partial(_retire, keys), robust=True)
    if participant_id is not None:
        # Their name and standing are in their own snapshot too.
        own_parts_changed(participant_id)


def _stamp(actor: Actor) -> tuple[str, ...] | None:
    """The standing tokens of the actor's room (and participant) now; None if unknown."""
    keys = [_room_key(actor.workshop.pk)]
    if actor.participant is not None:
        keys.append(_participant_key(actor.participant.pk))
    return cache_tokens(keys, unavailable="standing tokens unavailable; reading the actor again")


def actor_current(actor: Actor) -> Actor:
    """The socket's actor as the room holds them now: kept if nothing changed, else read again.

    The tokens are read before the database: an actor read while a change commits
    is kept under the token that change replaces, and read again at the next command.
    """
    stamp = _stamp(actor)
    now = time.monotonic()
    if stamp is not None and stamp == actor.stamp and now - actor.kept_at < KEPT_SECONDS:
        return actor
    return dataclasses.replace(actor_refresh(actor), stamp=stamp, kept_at=now)


def actor_acting(actor: Actor) -> Actor:
    """A copy of a kept actor for one command, its workshop and participant fresh copies.

    A service may follow a relation (which the model then caches) or change a field;
    neither may outlive the command in what the socket keeps.
    """
    workshop = _copied(actor.workshop)
    participant = None
    if actor.participant is not None:
        participant = _copied(actor.participant)
        participant.workshop = workshop
        for standing in registry.STANDING:
            relation: Any = Participant._meta.get_field(standing.related)
            if relation.is_cached(actor.participant):
                kept = relation.get_cached_value(actor.participant)
                relation.set_cached_value(participant, None if kept is None else _copied(kept))
    return dataclasses.replace(actor, workshop=workshop, participant=participant)


def _copied(instance: Any) -> Any:
    """The same row as a new model instance with nothing cached on it."""
    model = type(instance)
    names = [
        field.attname for field in model._meta.concrete_fields if field.attname in instance.__dict__
    ]
    return model.from_db(instance._state.db, names, [instance.__dict__[name] for name in names])


def _workshop_saved(sender: Any, instance: Workshop, **kwargs: Any) -> None:
    standing_changed(workshop_id=instance.pk)


def _participant_saved(sender: Any, instance: Participant, **kwargs: Any) -> None:
    standing_changed(participant_id=instance.pk)


def _facilitators_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        standing_changed(workshop_id=instance.pk)
        return
    # A user's side of the relation: the workshops named, or all of theirs on a clear.
    if action == "pre_clear":
        pk_set = set(Workshop.objects.filter(facilitators=instance).values_list("pk", flat=True))
    for workshop_id in pk_set or ():
        standing_changed(workshop_id=workshop_id)


def actor_watch() -> None:
    """Retire kept actors whenever the room's own rows change (WorkshopsConfig.ready)."""
    for signal in (post_save, post_delete):
        signal.connect(_workshop_saved, sender=Workshop, dispatch_uid="actor-room")
        signal.connect(_participant_saved, sender=Participant, dispatch_uid="actor-participant")
    m2m_changed.connect(
        _facilitators_changed, sender=Workshop.facilitators.through, dispatch_uid="actor-hosts"
    )


def standing_watch(related: str) -> None:
    """Retire a participant's kept actors whenever the model keeping their standing changes."""
    relation: Any = Participant._meta.get_field(related)
    kept: type[models.Model] = relation.related_model
    column = relation.field.attname

    def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        standing_changed(participant_id=getattr(instance, column))

    for signal in (post_save, post_delete):
        signal.connect(changed, sender=kept, weak=False, dispatch_uid=f"actor-standing-{related}")


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


def actors_locked(
    actors: list[Actor], *, room_part: type[models.Model] | None = None
) -> tuple[Any, Callable[[], dict[int, tuple[Actor, Any]]]]:
    """actor_locked() for many participants at once, locked in the order of their ids.

    Returns the cursor the statement was sent on and a function that reads its
    answer: each participant's id -> their actor and the room's `room_part`. The
    answer is read apart from the sending so that more statements can go out with
    it (workshops.batching.one_round_trip).
    Precondition: inside a transaction; every actor is a participant.
    """
    kept = {actor.participant.pk: actor for actor in actors if actor.participant is not None}
    ids = sorted(kept)
    read = _locked_read(room_part)
    lock_sql, read_sql = read.many_sql(len(ids))
    # Nothing to wait for in the lock's answer: the read behind it waits until it is held.
    locking = connection.cursor()
    if read.lock:
        locking.execute(lock_sql, ids)
    cursor = connection.cursor()
    cursor.execute(read_sql, ids)

    def answer() -> dict[int, tuple[Actor, Any]]:
        found: dict[int, tuple[Actor, Any]] = {}
        for row in cursor.fetchall():
            participant, part = read.build(row)
            actor = kept[participant.pk]
            if participant.workshop_id == actor.workshop.pk:
                found[participant.pk] = (
                    _citizen(participant.workshop, participant, actor.address),
                    part,
                )
        cursor.close()
        locking.close()
        # Gone, or of another room: nobody here.
        for pk, actor in kept.items():
            if pk not in found:
                found[pk] = (
                    Actor(role=Role.OUTSIDER, workshop=actor.workshop, address=actor.address),
                    None,
                )
        return found

    return cursor, answer


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
        self.select = (
            f"SELECT {selected} FROM {quote(Participant._meta.db_table)} p "  # noqa: S608
            f"{' '.join(joins)}"
        )
        self.lock = lock
        self.sql = f"{self.select} WHERE p.id = %s AND p.workshop_id = %s"
        table = quote(Participant._meta.db_table)
        self.lock_one = f"SELECT p.id FROM {table} p WHERE p.id = %s{lock}"  # noqa: S608

    def many_sql(self, count: int) -> tuple[str, str]:
        """The statement that locks the participants, and the one that then reads them.

        Apart, because a statement that waited for a lock still answers the rows
        it joined as they were when it began: a mute, a phase or new rules that
        committed meanwhile would go unseen. The read, sent after the lock is held,
        sees them.
        """
        marks = ", ".join(["%s"] * count)
        table = connection.ops.quote_name(Participant._meta.db_table)
        # Sorted before the rows are locked: every batch takes its locks in one order.
        lock = f"SELECT p.id FROM {table} p WHERE p.id IN ({marks}) ORDER BY p.id{self.lock}"  # noqa: S608
        return lock, f"{self.select} WHERE p.id IN ({marks})"

    def run(self, participant_id: int, workshop_id: int) -> tuple[Participant | None, Any]:
        with connection.cursor() as cursor:
            # Locked first and read after, as in many_sql(): a read that waited for the
            # lock would answer the standing, phase and rules from before the wait.
            if self.lock:
                cursor.execute(self.lock_one, [participant_id])
            cursor.execute(self.sql, [participant_id, workshop_id])
            row = cursor.fetchone()
        if row is None:
            return None, None
        return self.build(row)

    def build(self, row: Any) -> tuple[Any, Any]:
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
