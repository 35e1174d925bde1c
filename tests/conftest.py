from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from tests.factories import InvitationFactory, UserFactory, WorkshopFactory, actor_for
from workshops.actors import Actor
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.room_cache import room_changed
from workshops.services import invitation_accept


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-services",
        action="store_true",
        default=False,
        help="Fail, instead of skipping, when Redis, PostgreSQL or Chromium cannot be started.",
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


# Persona fixtures: one workshop and everyone who may be in (or near) it. The workshop
# collects ideas, because that is where most of the room's life happens.


@pytest.fixture
def facilitator(db: None) -> AbstractBaseUser:
    """The user who owns the workshop."""
    return UserFactory(username="owner")


@pytest.fixture
def workshop(facilitator: AbstractBaseUser) -> Workshop:
    return WorkshopFactory(owner=facilitator, phase=Phase.IDEATE)


@pytest.fixture
def co_facilitator(workshop: Workshop) -> AbstractBaseUser:
    """A colleague who accepted an invitation to help run the workshop."""
    colleague = UserFactory(username="colleague")
    invitation = InvitationFactory(workshop=workshop, email=colleague.email)
    invitation_accept(token=invitation.token, user=colleague)
    return colleague


@pytest.fixture
def stranger(db: None) -> AbstractBaseUser:
    """A signed-in user who has nothing to do with the workshop."""
    return UserFactory(username="stranger")


@pytest.fixture
def facilitator_actor(workshop: Workshop) -> Actor:
    return actor_for("facilitator", workshop)


@pytest.fixture
def citizen(workshop: Workshop) -> Actor:
    """A citizen who joined from a phone: an Actor holding a participant."""
    return actor_for("citizen", workshop)


@pytest.fixture
def second_citizen(workshop: Workshop) -> Actor:
    return actor_for("citizen", workshop)


@pytest.fixture
def observer(workshop: Workshop) -> Actor:
    """A decision-maker following through the read-only link."""
    return actor_for("observer", workshop)


@pytest.fixture
def outsider(workshop: Workshop) -> Actor:
    """Someone who has the code but has not joined."""
    return actor_for("outsider", workshop)


# Browsers: a phone that joined through the join page, and a facilitator's signed-in laptop.


def join_by_page(client: Client, workshop: Workshop, display_name: str = "") -> Client:
    """Join the way a phone does: post the join form, keeping the session cookie."""
    response = client.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}),
        {"display_name": display_name},
    )
    # The answer is the room itself (no redirect: a round trip less on a slow network).
    assert response.status_code == 200, response.content
    room_url = reverse("workshops:room", kwargs={"code": workshop.join_code})
    assert response.context["room_config"]["page_url"] == room_url
    # Showing the room kept its shared parts in the cache. A test's transaction never
    # commits, so the join's event, which retires them, never runs; and tests then
    # write ideas straight to the database, where the room would not hear of them.
    room_changed(workshop.pk)
    return client


@pytest.fixture
def citizen_client(workshop: Workshop) -> Client:
    return join_by_page(Client(), workshop, "Curious Otter 42")


@pytest.fixture
def second_citizen_client(workshop: Workshop) -> Client:
    return join_by_page(Client(), workshop, "Brave Lynx 17")


@pytest.fixture
def facilitator_client(facilitator: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(facilitator)
    return client


@pytest.fixture
def stop_all() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes the test started (tests.processes), killed at its end if still running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
