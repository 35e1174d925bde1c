"""The room's socket speaks its person's language: snapshots, refusals and every event's labels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from config.asgi import application
from tests.conftest import join_by_page
from tests.factories import WorkshopFactory
from tests.workshops.test_consumer import TIMEOUT, receive, receive_until, snapshot_of
from workshops.models import Participant, Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)

Open = Callable[..., Awaitable[WebsocketCommunicator]]

# What a phone posting in the lobby is told, in each language.
TOO_EARLY = {
    "da": "Du kan kun sende idéer, mens der samles idéer.",
    "sv": "Du kan bara skicka idéer medan idéer samlas in.",
    "en": "Ideas can only be posted while the room is collecting ideas.",
}
LOBBY = {"da": "Velkomst", "sv": "Välkomst", "en": "Lobby"}
IDEATE = {"da": "Idéudvikling", "sv": "Idéinsamling", "en": "Ideate"}


@pytest.fixture
def danish_workshop(facilitator: AbstractBaseUser) -> Workshop:
    return WorkshopFactory(owner=facilitator, phase=Phase.LOBBY, language="da")


@pytest.fixture
async def open_socket() -> AsyncIterator[Open]:
    opened: list[WebsocketCommunicator] = []

    async def connect(
        client: Client, code: str, *, chosen: str = "", browser: str = "", query: str = ""
    ) -> WebsocketCommunicator:
        cookies = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        if chosen:
            cookies += f"; {settings.LANGUAGE_COOKIE_NAME}={chosen}"
        headers = [
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", cookies.encode()),
        ]
        if browser:
            headers.append((b"accept-language", browser.encode()))
        path = f"/ws/workshops/{code}/" + (f"?{query}" if query else "")
        socket = WebsocketCommunicator(application, path, headers=headers)
        opened.append(socket)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected
        return socket

    yield connect
    for socket in opened:
        await socket.disconnect()


async def refusal_of_an_early_idea(socket: WebsocketCommunicator) -> str:
    frame = {
        "type": "idea.post",
        "text": "Flere bænke",
        "client_key": "ws-key-0001",
        "request_id": "r1",
    }
    await socket.send_json_to(frame)
    error = await receive(socket)
    assert (error["type"], error["code"]) == ("error", "wrong_phase")
    return str(error["message"])


@pytest.mark.parametrize(
    ("chosen", "browser", "query", "expected"),
    [
        ("", "sv-SE,sv;q=0.9", "", "da"),  # the workshop's language beats the browser's
        ("sv", "da", "", "sv"),  # the person's own choice beats the workshop's
        ("sv", "", "lang=en", "en"),  # the page says which language it shows
    ],
)
async def test_a_phone_hears_the_room_in_its_own_language(
    open_socket: Open,
    danish_workshop: Workshop,
    chosen: str,
    browser: str,
    query: str,
    expected: str,
) -> None:
    phone = await database_sync_to_async(join_by_page)(Client(), danish_workshop)
    socket = await open_socket(
        phone, danish_workshop.join_code, chosen=chosen, browser=browser, query=query
    )
    snapshot = await snapshot_of(socket)
    assert snapshot["workshop"]["phase_label"] == LOBBY[expected]
    assert await refusal_of_an_early_idea(socket) == TOO_EARLY[expected]


async def test_one_phase_change_reaches_each_screen_in_its_language(
    open_socket: Open, danish_workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    laptop = Client()
    await database_sync_to_async(laptop.force_login)(facilitator)
    danish_phone = await database_sync_to_async(join_by_page)(Client(), danish_workshop)
    swedish_phone = await database_sync_to_async(join_by_page)(Client(), danish_workshop)
    code = danish_workshop.join_code
    console = await open_socket(laptop, code, browser="en-GB,en;q=0.8")
    danish = await open_socket(danish_phone, code)
    swedish = await open_socket(swedish_phone, code, chosen="sv")
    for socket in (console, danish, swedish):
        await snapshot_of(socket)

    await console.send_json_to({"type": "phase.change", "phase": "ideate", "request_id": "p1"})

    frames = await receive_until(console, {"ack", "phase.changed"})
    assert frames["phase.changed"]["data"]["workshop"]["phase_label"] == IDEATE["en"]
    for socket, language in ((danish, "da"), (swedish, "sv")):
        event = await receive(socket)
        assert event["type"] == "phase.changed"
        workshop = event["data"]["workshop"]
        assert workshop["phase_label"] == IDEATE[language]
        labels = {item["phase"]: item["label"] for item in workshop["runnable_phases"]}
        assert labels["ideate"] == IDEATE[language]
        # What people typed stays as typed.
        assert workshop["title"] == danish_workshop.title


async def test_a_removed_participant_is_told_why_in_their_language(
    open_socket: Open, danish_workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    laptop = Client()
    await database_sync_to_async(laptop.force_login)(facilitator)
    phone = await database_sync_to_async(join_by_page)(Client(), danish_workshop)
    code = danish_workshop.join_code
    console = await open_socket(laptop, code, browser="en")
    swedish = await open_socket(phone, code, chosen="sv")
    await snapshot_of(console)
    await snapshot_of(swedish)
    participant = await database_sync_to_async(
        lambda: Participant.objects.get(workshop=danish_workshop).pk
    )()

    await console.send_json_to(
        {"type": "participant.remove", "participant_id": participant, "request_id": "m1"}
    )

    while True:
        frame = await receive(swedish)
        if frame["type"] == "error":
            break
    assert frame["code"] == "removed"
    assert frame["message"] == "En processledare har tagit bort dig från den här workshoppen."
