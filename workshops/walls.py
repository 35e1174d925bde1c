"""The wall of ideas as a room page shows it, rendered once for everyone who sees it alike.

Rendering the wall is most of a room page's cost once a room holds hundreds of ideas
(about 80 ms of the server's core for 500, measured on the join flow), and a page is
what every joining phone receives. For a person with no idea of their own on the wall
(everyone joining, the projector, observers) the wall is the same HTML for everyone
reading it in the same language in the same phase: it is rendered once and reused.

The kept HTML is found by what it shows (each idea's id, words, author and whether
it was edited, the phase and the language), not by a version of the room, so a page
can never be handed a wall other than the one its own snapshot describes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from .models import Workshop

WALL_TEMPLATE = "components/idea_wall.html"
# A few rooms at a time, each in a few languages; an entry is the size of its page.
KEPT = 32

_kept: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_lock = threading.Lock()


def _shows(idea: dict[str, Any]) -> tuple[Any, ...]:
    return (idea["id"], idea["text"], idea["author_name"], idea["edited"])


def wall_shared(
    *,
    workshop: Workshop,
    ideas: list[dict[str, Any]],
    wall_ideas: list[dict[str, Any]],
    participant_id: int | None,
) -> SafeString | None:
    """The wall's HTML as everyone without an idea of their own on it sees it; else None.

    `ideas` are the snapshot's, `wall_ideas` the same in the order the page shows them.
    None means the page renders the wall itself, with this person's own ideas marked.
    """
    if participant_id is not None and any(idea["author_id"] == participant_id for idea in ideas):
        return None
    key = (
        workshop.pk,
        workshop.join_code,
        workshop.phase,
        translation.get_language(),
        tuple(_shows(idea) for idea in wall_ideas),
    )
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = render_to_string(
        WALL_TEMPLATE,
        {
            "workshop": workshop,
            "snapshot": {"ideas": ideas, "you": {"participant_id": None}},
            "wall_ideas": wall_ideas,
        },
    )
    with _lock:
        _kept[key] = html
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return html
