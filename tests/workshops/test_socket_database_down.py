"""A live page's socket opened while the database fails is answered before it ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, models
from django.test import Client

from challenges.models import Challenge
from config.asgi import application
from statuses.models import Receipt
from tests.conftest import join_by_page
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 3


@contextmanager
def _table_gone(model: type[models.Model]) -> Iterator[None]:
    """The model's table unreadable, as when the database fails mid-flight; then back."""
    if connection.vendor != "sqlite":
        pytest.skip("renames the table the way SQLite allows")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_gone"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}_gone" RENAME TO "{table}"')


async def _answered_with_server_error(path: str, cookie: str | None = None) -> None:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    try:
        assert connected
        frame = await socket.receive_json_from(timeout=TIMEOUT)
        assert frame["type"] == "error"
        assert frame["code"] == "server_error"
        assert frame["message"]
        closed = await socket.receive_output(timeout=TIMEOUT)
        # Not 4403/4404: the page reconnects with backoff (docs/protocol.md).
        assert closed == {"type": "websocket.close", "code": 1011}
    finally:
        await socket.disconnect()


@pytest.fixture
def citizen_cookie(workshop: Workshop) -> str:
    client = join_by_page(Client(), workshop, "Curious Otter")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def workshops_gone(workshop: Workshop) -> Iterator[None]:
    with _table_gone(Workshop):
        yield


@pytest.fixture
def challenges_gone(db: None) -> Iterator[None]:
    with _table_gone(Challenge):
        yield


@pytest.fixture
def receipts_gone(db: None) -> Iterator[None]:
    with _table_gone(Receipt):
        yield


async def test_the_room_socket_gets_a_server_error_and_a_retryable_close(
    workshop: Workshop, citizen_cookie: str, workshops_gone: None
) -> None:
    await _answered_with_server_error(f"/ws/workshops/{workshop.join_code}/", citizen_cookie)


async def test_a_challenge_pages_socket_gets_a_server_error_and_a_retryable_close(
    challenges_gone: None,
) -> None:
    await _answered_with_server_error("/ws/challenges/1/")


async def test_a_receipts_socket_gets_a_server_error_and_a_retryable_close(
    receipts_gone: None,
) -> None:
    await _answered_with_server_error(f"/ws/receipts/{'r' * 24}/")


@pytest.fixture
def sessions_gone(citizen_cookie: str) -> Iterator[None]:
    # Sessions are read through the cache (workshops.sessions): without their cached
    # copy, the database is where the socket has to read this one.
    caches[settings.SESSION_CACHE_ALIAS].clear()
    with _table_gone(Session):
        yield


async def test_a_socket_whose_session_cannot_be_read_is_answered_too(
    workshop: Workshop, citizen_cookie: str, sessions_gone: None
) -> None:
    # Who the phone is comes after the handshake, so even this is a frame and a close.
    await _answered_with_server_error(f"/ws/workshops/{workshop.join_code}/", citizen_cookie)
