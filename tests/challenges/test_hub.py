"""The challenge hub keeps the newest count per proposal and never loses a milestone."""

from __future__ import annotations

from typing import Any

from challenges.hub import ChallengeHub


def _event(proposal: int, count: int, milestone: int | None = None) -> dict[str, Any]:
    return {
        "type": "proposal.support_changed",
        "data": {
            "proposal": {"id": proposal, "support_count": count, "revision": count},
            "milestone": milestone,
        },
    }


async def test_an_older_count_that_crossed_a_newer_one_is_dropped() -> None:
    hub = ChallengeHub(1)

    hub._keep(_event(7, 5))
    hub._keep(_event(7, 4))  # arrived late from the other process
    hub._keep(_event(8, 1))

    pending = {
        key[1]: event["data"]["proposal"]["support_count"] for key, event in hub._pending.items()
    }
    assert pending == {7: 5, 8: 1}


async def test_a_milestone_survives_a_later_count_in_the_same_flush() -> None:
    hub = ChallengeHub(1)

    hub._keep(_event(7, 33, milestone=33))
    hub._keep(_event(7, 34))

    (event,) = hub._pending.values()
    assert event["data"]["proposal"]["support_count"] == 34
    assert event["data"]["milestone"] == 33


async def test_a_milestone_that_arrives_late_rides_on_the_newest_count() -> None:
    hub = ChallengeHub(1)

    hub._keep(_event(7, 101))
    hub._pending.clear()  # written to the pages already
    hub._keep(_event(7, 100, milestone=100))  # the other process's, older, with the news

    (event,) = hub._pending.values()
    assert event["data"]["proposal"]["support_count"] == 101
    assert event["data"]["milestone"] == 100
