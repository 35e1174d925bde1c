"""Joining when the join page's socket dies without closing, or waits too long for the name.

The page watches its socket by ping and pong, as the room does: a socket that answers
nothing in time is given up, the `join` goes again over a new socket and, if none
answers, by the form. A socket the server closed after waiting too long for the `join`
is opened again when the person comes back to the form. The name typed is never lost,
and the phone joins once.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, WebSocketRoute, expect

from tests.browser.conftest import LiveServer, live_server
from tests.browser.test_join import new_workshop, open_join_page, participants, phone
from tests.browser.test_live_room import PHONE, assert_not_reloaded, wait_until_live

__all__ = ["phone"]  # the fixture, shared with the join page's tests

pytestmark = pytest.mark.browser

SOCKETS = re.compile(r"/ws/workshops/")
# The page waits 10 s for an answer (PONG_TIMEOUT_MS); a second socket as long again.
GIVEN_UP = 45_000


class Network:
    """Between the phone and the real server: passes each socket's frames both ways until
    told to drop them, without closing anything, as a network that went silent does."""

    def __init__(self) -> None:
        self.opened = 0
        # Sockets (by the order they opened) whose frames go nowhere, and those whose
        # answers from the server go nowhere while what the phone sends arrives.
        self.silent: set[int] = set()
        self.answers_lost: set[int] = set()
        # Every socket from this one on is silent too (None: none).
        self.silent_from: int | None = None
        # Sockets whose answers wait here until released, in order.
        self.held: set[int] = set()
        self._waiting: list[tuple[WebSocketRoute, str | bytes]] = []

    def route(self, socket: WebSocketRoute) -> None:
        index = self.opened
        self.opened += 1
        server = socket.connect_to_server()
        socket.on_message(lambda message: None if self._silent(index) else server.send(message))
        server.on_message(lambda message: self._answer(index, socket, message))

    def _answer(self, index: int, socket: WebSocketRoute, message: str | bytes) -> None:
        if self._silent(index) or index in self.answers_lost:
            return
        if index in self.held:
            self._waiting.append((socket, message))
            return
        socket.send(message)

    def release(self) -> None:
        self.held.clear()
        waiting, self._waiting = self._waiting, []
        for socket, message in waiting:
            socket.send(message)

    def _silent(self, index: int) -> bool:
        return index in self.silent or (self.silent_from is not None and index >= self.silent_from)


def join_page_behind(phone: BrowserContext, network: Network, code: str) -> tuple[Page, list[str]]:
    phone.route_web_socket(SOCKETS, network.route)
    return open_join_page(phone, code)


def join(page: Page, name: str) -> None:
    page.get_by_label("Your name in the room").fill(name)
    page.get_by_role("button", name="Join the workshop").click()


def expect_in_the_room(page: Page, code: str, name: str) -> None:
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"), timeout=GIVEN_UP)
    wait_until_live(page)
    expect(page.locator("[data-your-name]")).to_have_text(name)


def test_a_join_lost_in_a_silent_socket_goes_again_over_a_new_one(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Paths along the harbour")
    network = Network()
    page, posted = join_page_behind(phone, network, code)
    # The Wi-Fi goes while the person types: the socket neither answers nor closes.
    network.silent.add(0)
    # The next socket's answers wait until the page has been seen to say what happens.
    network.held.add(1)

    join(page, "Ada på cykel")

    # Told what is happening while it waits, the name still in its field.
    retrying = page.get_by_role("status").filter(has_text="The connection was lost. Trying again…")
    expect(retrying).to_be_visible(timeout=GIVEN_UP)
    expect(page.get_by_label("Your name in the room")).to_have_value("Ada på cykel")
    expect(page.get_by_role("button", name="Join the workshop")).to_be_disabled()
    # Then in the room, on the same page.
    network.release()
    expect_in_the_room(page, code, "Ada på cykel")
    assert_not_reloaded(page)
    assert posted == []
    assert network.opened == 2
    assert participants(live_daphne, code) == ["Ada på cykel"]


def test_a_join_whose_answer_was_lost_is_not_made_twice(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Trees on the square")
    network = Network()
    page, posted = join_page_behind(phone, network, code)
    # The join reaches the server, and its answer is lost on the way back.
    network.answers_lost.add(0)

    join(page, "Bo fra Vesterbro")

    # The new socket finds the phone in the room: the same participant, nobody new.
    expect_in_the_room(page, code, "Bo fra Vesterbro")
    assert posted == []
    assert participants(live_daphne, code) == ["Bo fra Vesterbro"]


def test_when_no_socket_answers_the_form_joins(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Light in the tunnel")
    network = Network()
    page, posted = join_page_behind(phone, network, code)
    # Sockets go nowhere now, the page's and any it opens; plain requests still go.
    network.silent_from = 0

    join(page, "Cai med hund")

    # The form takes the name: the server answers with the room.
    expect_in_the_room(page, code, "Cai med hund")
    assert posted == [f"{live_daphne.url}/j/{code}"]
    assert participants(live_daphne, code) == ["Cai med hund"]


def test_a_socket_that_died_while_the_phone_was_locked_is_opened_again(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Benches by the lake")
    network = Network()
    page, posted = join_page_behind(phone, network, code)
    network.silent.add(0)

    # Back from the lock screen: the page asks its socket, which answers nothing.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("[data-join-form][data-socket-open]")).to_have_count(0, timeout=GIVEN_UP)
    expect(page.locator("[data-join-form][data-socket-open]")).to_have_count(1, timeout=GIVEN_UP)
    assert network.opened == 2

    # Joining goes over the new socket at once: nothing waits for the dead one.
    join(page, "Dina")
    expect_in_the_room(page, code, "Dina")
    assert_not_reloaded(page)
    assert posted == []
    assert participants(live_daphne, code) == ["Dina"]


def test_a_socket_that_waited_too_long_rests_until_the_person_comes_back(
    browser: Browser,
) -> None:
    with live_server("join-wait", SAMSKAB_JOIN_WAIT_SECONDS="5") as server:
        code = new_workshop(server, "Play streets on Sundays")
        typing = browser.new_context(base_url=server.url, **PHONE)
        pressing = browser.new_context(base_url=server.url, **PHONE)
        pages = [open_join_page(typing, code), open_join_page(pressing, code)]
        sockets: list[list[WebSocket]] = [[], []]
        for (page, _posted), opened in zip(pages, sockets, strict=True):
            page.on("websocket", lambda socket, opened=opened: opened.append(socket))

        # The person reads longer than the server waits: the socket is closed, and the
        # page opens no other until they come back to it.
        for page, _posted in pages:
            expect(page.locator("[data-join-form][data-socket-open]")).to_have_count(
                0, timeout=15_000
            )
        pages[0][0].wait_for_timeout(3_000)
        assert sockets == [[], []]

        # One types a name: a new socket, and Join goes over it.
        page, posted = pages[0]
        page.get_by_label("Your name in the room").fill("Eja fra Amager")
        expect(page.locator("[data-join-form][data-socket-open]")).to_have_count(1)
        page.get_by_label("Your name in the room").press("Enter")
        expect_in_the_room(page, code, "Eja fra Amager")
        assert_not_reloaded(page)
        assert posted == []
        assert len(sockets[0]) == 1

        # The other presses Join straight away: it waits for the new socket, then joins.
        page, posted = pages[1]
        name = page.get_by_label("Your name in the room").input_value()
        page.get_by_role("button", name="Join the workshop").click()
        expect_in_the_room(page, code, name)
        assert_not_reloaded(page)
        assert posted == []
        assert len(sockets[1]) == 1
        assert len(participants(server, code)) == 2
        typing.close()
        pressing.close()
