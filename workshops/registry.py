"""The room's registry: how an app joins the room without the room importing it.

The room (this app) is the ground floor and imports no app above it. Each app
declares what it adds to the room in its own modules and hands it over from its
``AppConfig.ready()``::

    class IdeasConfig(AppConfig):
        name = "ideas"

        def ready(self) -> None:
            from workshops import registry

            from . import commands, events, selectors

            registry.add_commands(commands.COMMANDS)
            registry.add_events(events.EVENTS)
            registry.add_snapshot_part(selectors.snapshot_part)
            registry.add_panel(registry.Screen.ROOM, "ideas/room_group_panel.html")
            registry.add_script("ideas/group.js")

What each call hands over:

- ``add_commands({"idea.post": Command(...)})``: the WebSocket commands the app
  takes. ``workshops.commands.command_handle`` validates a frame against the
  command's declared ``fields`` before its ``handle`` runs.
- ``add_events({"idea.posted": Event(...)})``: the events the app publishes;
  ``workshops.events.publish`` refuses an event whose data does not match.
- ``add_snapshot_part(part)``: ``part(*, actor)`` returns the app's keys of the
  room's snapshot, filtered for that actor.
- ``add_panel(screen, template, order=..., context=..., tool=..., label=..., phases=...)``:
  a template the room's pages of that screen include, by ``order`` (lowest first),
  then in the order the apps are installed; ``context(request, actor, context)`` may
  add what the template needs. On the console each panel is a tool of its own, one
  tab: ``tool`` names it, ``label`` is the tab's text, and ``phases`` are the phases
  the console opens on it. A console panel without a tool goes under "More".
- ``add_script(path)``: a static script every room page loads after the room's own.
  It registers its handlers with ``window.SamskabRoom``, which starts once every
  script on the page has, so its ``snapshot`` handler takes in the page's own
  snapshot first (the socket may only say that it is still current), then every
  whole one a reconnect brings: from each it draws what the page shows when loaded
  afresh, keeping nothing of the one before.
- ``set_participant_standing(related, read)``: where a participant's restriction
  ("muted", "removed", "erased" or "") is read; ``workshops.actors`` enforces it.
- ``add_shapes({"Idea": IdeaShape})``: the shapes the app's events carry (one thing
  as every message shows it), each a ``Shape`` built by one serialiser. An event
  field typed with a shape is checked against it on every publish, and the
  protocol reference's table of the shape is written from it.
- ``add_labels(event_types, relabel)``: these events carry labels (a phase's name,
  a voting method's) that ``relabel(data)`` writes again, in place, in the active
  language. An event is published once, in whatever language its writer's request
  spoke, and read on many screens in several languages: the room's hub writes the
  labels once per language among its sockets (``event_in_language``, used by
  ``workshops.hub.Frames``). Citizens' own words are never touched.

A name registered twice by different declarations is a programming error and
raises at start-up, so two apps can never silently take the same command.
The tables of ``docs/protocol.md`` are generated from the commands, events and
shapes registered here (``python manage.py protocol_doc --write``), and a test
fails when the file differs.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from django.utils import translation

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .actors import Actor
    from .errors import ActionRefused
    from .models import Participant


class Screen(enum.StrEnum):
    """The room's pages a panel can appear on."""

    # A citizen's phone.
    ROOM = "room"
    # The facilitator's console.
    CONSOLE = "console"
    # The projector and the read-only observer's view: only what the whole room sees.
    WALL = "wall"
    # A citizen's menu ("You and your data"): their name, data and choices, out of the
    # way of the phase's task.
    MENU = "menu"


class Fields(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of a command's declared fields: a frame with any other field is refused.

    Declare each field with its type; a default makes it optional. Describe a field
    for the protocol reference with ``Annotated[int, msgspec.Meta(description=...)]``.
    """


class Data(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of an event's declared data."""


class Shape(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of a shape: one thing (a workshop, an idea) as every message carries it.

    Declare each field the serialiser writes, with its type and, for the protocol
    reference, its meaning: ``Annotated[int, msgspec.Meta(description=...)]``.
    """


def one_of(values: Iterable[object]) -> str:
    """A shape field's allowed values for the reference, read from where they are defined."""
    quoted = [f"`{value}`" for value in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


@dataclass(frozen=True)
class Command:
    """One WebSocket command: what runs it, its declared fields, and what the doc says."""

    # handle(actor, message) -> the ack's data; `message` is the validated frame as a dict.
    handle: Callable[[Actor, dict[str, Any]], dict[str, Any]]
    # The frame's fields besides `type` and `request_id`: a Fields subclass.
    fields: type[Fields] = Fields
    # For the protocol reference: who may send it and when, and what the ack carries.
    who: str = ""
    answer: str = ""
    # The hot path of a busy room (a vote): the service reads the actor's standing and
    # the room's phase itself, under its own lock (workshops.actors.actor_locked), so the
    # command skips actor_refresh(); it runs in a transaction of its own
    # (@transaction.atomic), so commands arriving together can share one commit
    # (workshops.batching).
    batched: bool = False
    # Optionally, for a batched command: carry out many at once, the batch's commands
    # of one participant in order (workshops.batching). together(items) answers each
    # item with the ack's data or the ActionRefused it met, in the items' order.
    together: Callable[[list[Together]], list[dict[str, Any] | ActionRefused]] | None = None


@dataclass(frozen=True)
class Together:
    """One command of a batch carried out together with others: who, the checked fields, and
    the language its refusal is written in."""

    actor: Actor
    message: dict[str, Any]
    language: str | None


@dataclass(frozen=True)
class Event:
    """One room event: its declared data, and who hears it (for the protocol reference)."""

    # The event's `data`: a Data subclass.
    data: type[Data]
    audience: str = "everyone"


@dataclass(frozen=True)
class Panel:
    template: str
    order: int = 50
    context: Callable[[HttpRequest, Actor, dict[str, Any]], dict[str, Any]] | None = None
    # On the console: the tool (tab) the panel is, the tab's label, the phases it leads.
    tool: str = ""
    label: Any = ""
    phases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standing:
    # The Participant relation to fetch with every participant (select_related).
    related: str
    read: Callable[[Participant], str]


COMMANDS: dict[str, Command] = {}
EVENTS: dict[str, Event] = {}
SHAPES: dict[str, type[Shape]] = {}
SNAPSHOT_PARTS: list[Callable[..., dict[str, Any]]] = []
PANELS: dict[Screen, list[Panel]] = {screen: [] for screen in Screen}
SCRIPTS: list[str] = []
STANDING: list[Standing] = []
# Rewrites the labels in an event's data, in place, in the active language.
Relabel = Callable[[dict[str, Any]], None]
RELABELS: dict[str, list[Relabel]] = {}


def _add(table: dict[str, Any], entries: Mapping[str, Any], kind: str) -> None:
    for name, entry in entries.items():
        if name in table and table[name] != entry:
            raise ValueError(f"the room already has a {kind} named {name!r}")
        table[name] = entry


def add_commands(commands: Mapping[str, Command]) -> None:
    _add(COMMANDS, commands, "command")


def add_events(events: Mapping[str, Event]) -> None:
    _add(EVENTS, events, "event")


def add_shapes(shapes: Mapping[str, type[Shape]]) -> None:
    _add(SHAPES, shapes, "shape")


def add_snapshot_part(part: Callable[..., dict[str, Any]]) -> None:
    if part not in SNAPSHOT_PARTS:
        SNAPSHOT_PARTS.append(part)


def add_panel(
    screen: Screen,
    template: str,
    *,
    order: int = 50,
    context: Callable[[HttpRequest, Actor, dict[str, Any]], dict[str, Any]] | None = None,
    tool: str = "",
    label: Any = "",
    phases: tuple[str, ...] = (),
) -> None:
    panel = Panel(
        template=template, order=order, context=context, tool=tool, label=label, phases=phases
    )
    if panel not in PANELS[screen]:
        PANELS[screen].append(panel)
        # Stable: equal orders keep the order the apps registered in.
        PANELS[screen].sort(key=lambda each: each.order)


def add_script(path: str) -> None:
    if path not in SCRIPTS:
        SCRIPTS.append(path)


def set_participant_standing(*, related: str, read: Callable[[Participant], str]) -> None:
    standing = Standing(related=related, read=read)
    if STANDING and STANDING[0] != standing:
        raise ValueError("the room already reads participants' standing elsewhere")
    STANDING[:] = [standing]
    # A change of standing retires the actors sockets keep (workshops.actors).
    from .actors import standing_watch

    standing_watch(related)


def add_labels(event_types: Iterable[str], relabel: Relabel) -> None:
    """Declare that these events carry labels `relabel` writes again in each language."""
    for event_type in event_types:
        relabels = RELABELS.setdefault(event_type, [])
        if relabel not in relabels:
            relabels.append(relabel)


def event_in_language(event: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The event with its labels in this language; the same object when it has none."""
    relabels = RELABELS.get(event.get("type", ""))
    if not relabels or language is None:
        return event
    data = copy.deepcopy(event["data"])
    with translation.override(language):
        for relabel in relabels:
            relabel(data)
    return {**event, "data": data}
