"""The protocol reference's tables, written from the declared commands and events.

docs/protocol.md holds, for each app, a block between two markers::

    <!-- protocol: commands ideas -->
    ...generated table...
    <!-- /protocol -->

and one for each registered shape (``<!-- protocol: shape Idea -->``).

`python manage.py protocol_doc --write` writes every block again from the room's
registry; a test fails when the file differs, so the doc and the code cannot drift.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import msgspec.inspect as mi

from . import registry

MARKER = re.compile(
    r"(?P<open><!-- protocol: (?P<kind>commands|events|shape) (?P<app>[A-Za-z_]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<close><!-- /protocol -->)",
    re.DOTALL,
)


def _app_of(declared: Any) -> str:
    return str(declared.__module__).split(".")[0]


def _command_app(command: registry.Command) -> str:
    # A command without fields declares none of its own: its handler names the app.
    declared = command.fields if command.fields is not registry.Fields else command.handle
    return _app_of(declared)


def _described(info: mi.Type) -> str:
    if isinstance(info, mi.Metadata):
        return str((info.extra_json_schema or {}).get("description", ""))
    return ""


def _kind(info: mi.Type) -> str:
    """A field's type in the words the doc uses; a shape by its name (Idea, Ballot...)."""
    if isinstance(info, mi.Metadata):
        shape = (info.extra or {}).get("shape")
        return str(shape) if shape else _kind(info.type)
    if isinstance(info, mi.IntType):
        return "int"
    if isinstance(info, mi.StrType):
        return "string"
    if isinstance(info, mi.BoolType):
        return "bool"
    if isinstance(info, mi.NoneType):
        return "`null`"
    if isinstance(info, mi.ListType):
        return f"list of {_kind(info.item_type)}"
    if isinstance(info, mi.UnionType):
        return " or ".join(_kind(each) for each in info.types)
    if isinstance(info, mi.DictType):
        return "object"
    if isinstance(info, mi.StructType):
        for name, shape in registry.SHAPES.items():
            if shape is info.cls:
                return name
        return "`{" + ", ".join(field.name for field in info.fields) + "}`"
    return "any"


def _field(field: mi.Field) -> str:
    description = _described(field.type)
    optional = "" if field.required else ", optional"
    note = f": {description}" if description else ""
    return f"`{field.name}` ({_kind(field.type)}{optional}{note})"


def _fields(struct: type[msgspec.Struct]) -> str:
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)  # noqa: S101 - a Struct's info is a StructType
    return ", ".join(_field(field) for field in info.fields) or "–"  # noqa: RUF001


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def commands_table(app: str) -> str:
    rows = [
        "| type | fields | who, when | `ack.data` |",
        "|---|---|---|---|",
    ]
    for name, command in registry.COMMANDS.items():
        if _command_app(command) != app:
            continue
        rows.append(
            f"| `{name}` | {_cell(_fields(command.fields))} | {_cell(command.who)} "
            f"| {_cell(command.answer)} |"
        )
    return "\n".join(rows) + "\n"


def events_table(app: str) -> str:
    rows = ["| type | `data` fields | to |", "|---|---|---|"]
    for name, event in registry.EVENTS.items():
        if _app_of(event.data) != app:
            continue
        rows.append(f"| `{name}` | {_cell(_fields(event.data))} | {_cell(event.audience)} |")
    return "\n".join(rows) + "\n"


def shape_table(name: str) -> str:
    rows = ["| field | type | |", "|---|---|---|"]
    info = mi.type_info(registry.SHAPES[name])
    assert isinstance(info, mi.StructType)  # noqa: S101 - a Struct's info is a StructType
    for field in info.fields:
        described = _cell(_described(field.type))
        rows.append(
            f"| `{field.name}` | {_cell(_kind(field.type))} | {described} |".replace("|  |", "| |")
        )
    return "\n".join(rows) + "\n"


def apps_declaring() -> dict[str, set[str]]:
    """Which apps declare commands and events, and which shapes exist: each needs its block."""
    commands = {_command_app(command) for command in registry.COMMANDS.values()}
    return {
        "commands": commands,
        "events": {_app_of(e.data) for e in registry.EVENTS.values()},
        "shape": set(registry.SHAPES),
    }


def doc_written(text: str) -> str:
    """The document with every generated block written again from the registry."""

    def block(match: re.Match[str]) -> str:
        tables = {"commands": commands_table, "events": events_table, "shape": shape_table}
        return match["open"] + tables[match["kind"]](match["app"]) + match["close"]

    return MARKER.sub(block, text)


def blocks_in(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"commands": set(), "events": set(), "shape": set()}
    for match in MARKER.finditer(text):
        found[match["kind"]].add(match["app"])
    return found
