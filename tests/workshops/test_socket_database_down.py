"""A room socket opened while the database fails is answered before it ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client

from config.asgi import application
from tests.conftest import join_by_page
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 3


@pytest.fixture
def workshops_table_gone(workshop: Workshop) -> Iterator[None]:
    """The workshops' table unreadable, as when the database fails mid-flight; then back."""
    table = Workshop._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_gone"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}_gone" RENAME TO "{table}"')


@pytest.fixture
def citizen_session(workshop: Workshop) -> str:
    client = join_by_page(Client(), workshop, "Curious Otter")
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


async def test_the_socket_gets_a_server_error_and_a_retryable_close(
    workshop: Workshop, citizen_session: str, workshops_table_gone: None
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("renames the table the way SQLite allows")
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={citizen_session}".encode()),
    ]
    socket = WebsocketCommunicator(
        application, f"/ws/workshops/{workshop.join_code}/", headers=headers
    )
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
