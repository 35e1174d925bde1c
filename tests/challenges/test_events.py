"""A process sends a count once per trip to the bus: the newest, never losing the last."""

from __future__ import annotations

import time
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


def _sent_after(sent: list[Any], count: int) -> None:
    for _wait in range(500):
        if len(sent) >= count:
            return
        time.sleep(0.01)


def test_changes_within_a_window_are_sent_once_as_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[int, int | None]] = []

    def send(group: str, message: dict[str, Any]) -> None:
        data = message["event"]["data"]
        sent.append((data["proposal"]["support_count"], data["milestone"]))

    monkeypatch.setattr(events, "_send", send)
    monkeypatch.setattr(events, "WINDOW_SECONDS", 0.5)
    # The first change opens the window and, like the three that follow within it,
    # returns at once: no support waits for the window.
    started = time.monotonic()
    events._offer("challenge.1", 7, _message(1))
    events._offer("challenge.1", 7, _message(3, milestone=33))
    events._offer("challenge.1", 7, _message(2))
    events._offer("challenge.1", 7, _message(4))
    assert time.monotonic() - started < 0.4
    assert sent == []
    _sent_after(sent, 1)

    assert sent == [(4, 33)]
    # The window is closed: the next change opens a new one and goes too.
    monkeypatch.setattr(events, "WINDOW_SECONDS", 0)
    events._offer("challenge.1", 7, _message(5))
    _sent_after(sent, 2)
    assert sent == [(4, 33), (5, None)]
