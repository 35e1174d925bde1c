"""A process sends a count once per trip to the bus: the newest, never losing the last."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from challenges import events


def _message(count: int, milestone: int | None = None) -> dict[str, Any]:
    proposal = {"id": 7, "support_count": count, "revision": count}
    return {
        "type": "challenge.event",
        "event": {
            "type": "proposal.support_changed",
            "data": {"proposal": proposal, "milestone": milestone},
        },
    }


def test_changes_while_one_is_on_its_way_are_sent_as_the_newest_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[int, int | None]] = []
    on_the_way = threading.Event()
    go_on = threading.Event()

    def slow_send(group: str, message: dict[str, Any]) -> None:
        data = message["event"]["data"]
        sent.append((data["proposal"]["support_count"], data["milestone"]))
        if len(sent) == 1:
            on_the_way.set()
            go_on.wait(5)

    monkeypatch.setattr(events, "_send", slow_send)
    first = threading.Thread(target=events._offer, args=("challenge.1", 7, _message(1)))
    first.start()
    assert on_the_way.wait(5)
    # While the first is on its way, three more supports: each returns at once.
    events._offer("challenge.1", 7, _message(3, milestone=33))
    events._offer("challenge.1", 7, _message(2))
    events._offer("challenge.1", 7, _message(4))
    go_on.set()
    first.join(5)

    assert sent == [(1, None), (4, 33)]
    # Nothing is left waiting, and the next change goes out at once.
    events._offer("challenge.1", 7, _message(5))
    assert sent[-1] == (5, None)
