"""A closed workshop with a cluster, a proposition, authors and voters; two administrations."""

from __future__ import annotations

import contextlib
import email
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from administrations.models import Administration
from ideas.models import Cluster, Idea
from statuses.models import Receipt
from statuses.services import receipt_for_participant
from summaries.models import ValueProposition
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory, UserFactory
from voting.models import Ballot, Vote
from workshops.models import Participant, Workshop
from workshops.phases import Phase


@dataclass
class Closed:
    workshop: Workshop
    author: Participant
    voter: Participant
    bystander: Participant
    idea: Idea
    cluster: Cluster
    proposition: ValueProposition
    receipts: dict[str, Receipt] = field(default_factory=dict)


@pytest.fixture
def closed(workshop: Workshop) -> Closed:
    """The author's idea went into a cluster; the voter dotted it; the bystander did neither."""
    author = ParticipantFactory(workshop=workshop, display_name="Ada")
    voter = ParticipantFactory(workshop=workshop, display_name="Bo")
    bystander = ParticipantFactory(workshop=workshop, display_name="Cy")
    cluster = Cluster.objects.create(workshop=workshop, name=f"Homework cafés {HOSTILE_HTML}")
    idea = IdeaFactory(
        workshop=workshop, author=author, text="Open the roof terrace", cluster=cluster
    )
    IdeaFactory(workshop=workshop, author=bystander, text="Free wifi")
    ballot = Ballot.objects.create(workshop=workshop)
    Vote.objects.create(ballot=ballot, participant=voter, idea=idea, weight=2)
    proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster)
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    workshop.refresh_from_db()
    room = Closed(
        workshop=workshop,
        author=author,
        voter=voter,
        bystander=bystander,
        idea=Idea.objects.get(pk=idea.pk),
        cluster=cluster,
        proposition=proposition,
    )
    for name in ("author", "voter", "bystander"):
        room.receipts[name] = receipt_for_participant(participant=getattr(room, name))
    return room


@pytest.fixture
def parks(db: None) -> Administration:
    return Administration.objects.create(name="Parks and Roads", slug="parks")


@pytest.fixture
def culture(db: None) -> Administration:
    return Administration.objects.create(name="Culture and Leisure", slug="culture")


@pytest.fixture
def parks_member(parks: Administration) -> AbstractBaseUser:
    user = UserFactory(username="parks-member")
    parks.members.add(user)
    return user


@pytest.fixture
def culture_member(culture: Administration) -> AbstractBaseUser:
    user = UserFactory(username="culture-member")
    culture.members.add(user)
    return user


class Sink:
    """Every message a real SMTP server (aiosmtpd) received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """A real SMTP server on a free port, and Django set to send through it."""
    from aiosmtpd.controller import Controller

    from bench.ports import free_port

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        with contextlib.suppress(Exception):
            controller.stop()
