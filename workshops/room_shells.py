"""The room page of a citizen who has just joined, rendered once for everyone who joins alike.

Every joining phone is answered with the room page (the join form answers with it),
and rendering it was the largest part of a join's cost after the database (about a
third of the process's CPU in a profile of joins). For a person who has just joined,
the page is the same as for everyone else joining the room in the same state: they
have no ideas, votes, flags or consent yet, no standing, and only their name, the
form's security token, a key of the idea form, the server's clock and their snapshot
differ. So the page
is rendered once with stand-ins for those (random per process, so no text anyone
types can hold one) and each join fills in its own.

The join page, the first page a phone sees, is the room's page with the name form first
(the room itself waits in the page until the phone has joined over the socket), kept
the same way for every phone that has not joined yet: only its form's security token,
the suggested name (in the form, and as the name the room's part shows) and the nonce
of its inline stylesheet and scripts differ.

A kept room page is found by what it shows: the snapshot with the person's own fields
set aside, the language and the address it answers, so a page can never be handed
a room other than the one its own snapshot describes (as workshops.walls keeps the
wall). What is not the same for everyone (a message waiting for the session, a
signed-in account) is rendered as before.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.utils.html import escape

from .serializers import json_text

# Stand-ins, random per process.
NAME = "shellname" + secrets.token_hex(16)
CSRF = "shellcsrf" + secrets.token_hex(16)
KEY = "shellkey" + secrets.token_hex(16)
SNAPSHOT = "shellsnapshot" + secrets.token_hex(16)
SERVER_TIME = "shelltime" + secrets.token_hex(16)
NONCE = "shellnonce" + secrets.token_hex(16)

# A few rooms at a time, each in a few languages; an entry is the size of its page.
KEPT = 16

_kept: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_lock = threading.Lock()


def _shows(snapshot: dict[str, Any]) -> str:
    """The snapshot as text, without what is this person's alone (as a stand-in shows it)."""
    return json_text(
        {
            **snapshot,
            "you": {**snapshot["you"], "participant_id": None, "display_name": ""},
            "participant_count": 0,
            "participant_count_as_of": 0,
            "server_time": "",
            "version": "",
        }
    )


def shell_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot a kept page is rendered from: the person's name and the clock stand-ins."""
    return {
        **snapshot,
        "you": {**snapshot["you"], "display_name": NAME},
        "server_time": SERVER_TIME,
    }


def _kept_or_render(key: tuple[Any, ...], render: Callable[[], str]) -> str:
    """The page kept for `key`, rendered and kept (the most recent KEPT) if none is."""
    with _lock:
        shell = _kept.get(key)
        if shell is not None:
            _kept.move_to_end(key)
            return shell
    shell = render()
    with _lock:
        _kept[key] = shell
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return shell


def page_for(
    *,
    snapshot: dict[str, Any],
    where: tuple[Any, ...],
    render: Callable[[], str],
    csrf_token: str,
    snapshot_script: str,
    nonce: str = "",
) -> str:
    """The page for this person: the kept one for `where` and what the snapshot shows, filled in.

    `render()` renders the page with the stand-ins (shell_snapshot, CSRF, KEY, SNAPSHOT
    and, on the join page, NONCE in their places) when none is kept. `snapshot_script`
    is the person's snapshot as its <script> element; `nonce` the inline stylesheet's.
    """
    shell = _kept_or_render((*where, _shows(snapshot)), render)
    parts = shell.split(KEY)
    # Each idea form gets a key of its own (ideas.views: a double submit posts once).
    filled = parts[0] + "".join(secrets.token_urlsafe(16) + part for part in parts[1:])
    return (
        filled.replace(CSRF, csrf_token)
        .replace(NONCE, nonce)
        .replace(NAME, escape(snapshot["you"]["display_name"]))
        .replace(SERVER_TIME, escape(snapshot["server_time"]))
        .replace(SNAPSHOT, snapshot_script)
    )
