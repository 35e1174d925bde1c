"""What apps above summaries add to a summary's method section, without summaries importing them.

An app registers a part from its ``AppConfig.ready()``::

    from summaries.method import add_method_part

    add_method_part(selectors.method_part)

``part(workshop)`` returns ``[{"label": ..., "text": ...}]`` in the active language
(the summary's); every format of the summary shows them after its own method lines.
"""

from __future__ import annotations

from collections.abc import Callable

from workshops.models import Workshop

MethodPart = Callable[[Workshop], list[dict[str, str]]]

METHOD_PARTS: list[MethodPart] = []


def add_method_part(part: MethodPart) -> None:
    if part not in METHOD_PARTS:
        METHOD_PARTS.append(part)


def method_notes(workshop: Workshop) -> list[dict[str, str]]:
    return [note for part in METHOD_PARTS for note in part(workshop)]
