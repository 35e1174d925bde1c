"""A process sends a count once per trip to the bus: the newest, never losing the last."""

from __future__ import annotations

import threading
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


def test_changes_within_a_window_are_sent_once_as_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[int, int | None]] = []

    def send(group: str, message: dict[str, Any]) -> None:
        data = message["event"]["data"]
        sent.append((data["proposal"]["support_count"], data["milestone"]))

    monkeypatch.setattr(events, "_send", send)
    monkeypatch.setattr(events, "WINDOW_SECONDS", 0.5)
    first = threading.Thread(target=events._offer, args=("challenge.1", 7, _message(1)))
    first.start()
    for _wait in range(200):
        if 7 in events._waiting:
            break
        time.sleep(0.01)
    # While the first waits out its window, three more supports: each returns at once.
    started = time.monotonic()
    events._offer("challenge.1", 7, _message(3, milestone=33))
    events._offer("challenge.1", 7, _message(2))
    events._offer("challenge.1", 7, _message(4))
    assert time.monotonic() - started < 0.4
    first.join(5)

    assert sent == [(4, 33)]
    # The window is closed: the next change opens a new one and goes too.
    monkeypatch.setattr(events, "WINDOW_SECONDS", 0)
    events._offer("challenge.1", 7, _message(5))
    assert sent[-1] == (5, None)
