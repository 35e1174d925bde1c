"""Voting fixtures: a room in the vote phase, and tally windows that run when the test says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from ideas.models import Idea
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from voting import tally
from workshops.actors import Actor
from workshops.models import Workshop
from workshops.phases import Phase


class TallyWindows:
    """Stands in for the timer: records each scheduled tally and runs them on request."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[float, Callable[..., Any], tuple[Any, ...]]] = []

    def __call__(self, delay: float, function: Callable[..., Any], *args: Any) -> None:
        self.scheduled.append((delay, function, args))

    def close(self) -> int:
        """Let every open window end, as the timer would; returns how many ended."""
        due, self.scheduled = self.scheduled, []
        for _delay, function, args in due:
            function(*args)
        return len(due)


@pytest.fixture(autouse=True)
def tally_windows(monkeypatch: pytest.MonkeyPatch) -> TallyWindows:
    windows = TallyWindows()
    monkeypatch.setattr(tally, "schedule", windows)
    # The window keys live in the cache, which outlives a test's database.
    cache.clear()
    return windows


class RecordingLayer:
    """A channel layer that keeps what it is asked to send, by group."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            message["event"]
            for _group, message in self.sent
            if kind is None or message["event"]["type"] == kind
        ]

    def deliveries(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(group, audience, data) of each event of this kind."""
        return [
            (group, message["audience"], message["event"]["data"])
            for group, message in self.sent
            if message["event"]["type"] == kind
        ]


@pytest.fixture
def room_bus(monkeypatch: pytest.MonkeyPatch) -> RecordingLayer:
    layer = RecordingLayer()
    monkeypatch.setattr("workshops.events.get_channel_layer", lambda: layer)
    return layer


@pytest.fixture
def voting_room(workshop: Workshop) -> Workshop:
    """The persona workshop, moved on to voting."""
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE)
    return Workshop.objects.get(pk=workshop.pk)


@pytest.fixture
def ideas(voting_room: Workshop) -> list[Idea]:
    """Four published ideas from other people, oldest first."""
    author = ParticipantFactory(workshop=voting_room)
    return [
        IdeaFactory(author=author, text=text, client_key=f"vote-idea-{index}")
        for index, text in enumerate(
            ["Open late on Fridays", "Free wifi", "A quiet room", "Board game nights"]
        )
    ]


@pytest.fixture
def voter(voting_room: Workshop) -> Actor:
    return actor_for("citizen", voting_room)


@pytest.fixture
def second_voter(voting_room: Workshop) -> Actor:
    return actor_for("citizen", voting_room)


@pytest.fixture
def host(voting_room: Workshop) -> Actor:
    return actor_for("facilitator", voting_room)
