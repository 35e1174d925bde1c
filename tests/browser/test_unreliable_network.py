"""A phone on a bad network: WebSockets blocked, no script at all, or no connection for a while.

Whatever happens to the connection, a citizen's idea reaches the room once, and
nothing typed is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, WebSocketRoute, expect

from tests.browser.test_live_room import (
    PHONE,
    assert_not_reloaded,
    create_workshop,
    idea_box,
    join_by_link,
    mark_loaded,
    move_room,
    open_phase_form,
    post_idea,
    sign_up_facilitator,
    wait_until_live,
    wall,
)

pytestmark = pytest.mark.browser

SOCKETS = re.compile(r"/ws/workshops/")
# The server's answer to a fault of its own, and a proxy's page for one.
SERVER_FAULT = "Something went wrong on the server. Try again in a moment."
PROXY_500 = "<html><body><h1>500 Internal Server Error</h1></body></html>"


@dataclass
class Room:
    code: str
    console: Page


@pytest.fixture(scope="module")
def room(browser: Browser, server_url: str) -> Iterator[Room]:
    laptop = sign_up_facilitator(browser, server_url)
    console, code = create_workshop(laptop, "Paths through the park")
    move_room(console, "Ideate")
    yield Room(code=code, console=console)
    laptop.close()


def refuse_sockets(page: Page) -> None:
    """Behave like a network that lets HTTP through but drops every WebSocket."""
    page.route_web_socket(SOCKETS, lambda socket: socket.close(code=1011, reason="blocked"))


class SocketSwitch:
    """Passes the phone's sockets through to the server until the network is cut."""

    def __init__(self) -> None:
        self.online = True
        self.sockets: list[WebSocketRoute] = []

    def route(self, socket: WebSocketRoute) -> None:
        if not self.online:
            socket.close(code=1011, reason="offline")
            return
        socket.connect_to_server()
        self.sockets.append(socket)

    def cut(self) -> None:
        self.online = False
        for socket in self.sockets:
            socket.close(code=1011, reason="offline")


def phone(browser: Browser, server_url: str, **options: object) -> BrowserContext:
    return browser.new_context(base_url=server_url, **PHONE, **options)  # type: ignore[arg-type]


def test_with_websockets_blocked_a_citizen_still_posts(
    browser: Browser, server_url: str, room: Room
) -> None:
    blocked = phone(browser, server_url)
    page = blocked.new_page()
    refuse_sockets(page)
    page.goto(f"/j/{room.code}")
    page.get_by_role("button", name="Join the workshop").click()
    expect(page).to_have_url(re.compile(rf"/w/{room.code}/$"))
    expect(page.locator("[data-connection]")).to_contain_text("Reconnecting")

    post_idea(page, "Light the path by the pond")

    # The post went over plain HTTP: it is on this phone's wall and live on the console.
    expect(wall(page).filter(has_text="Light the path by the pond")).to_have_count(1)
    expect(page.locator("[data-outbox]")).to_be_hidden()
    expect(wall(room.console).filter(has_text="Light the path by the pond")).to_have_count(1)

    # Others' ideas reach this phone with a reload.
    other = join_by_link(phone(browser, server_url), room.code)
    post_idea(other, "Benches every hundred metres")
    # Reload once the room has it (the box empties as soon as the post is queued).
    expect(wall(room.console).filter(has_text="Benches every hundred metres")).to_have_count(1)
    page.reload()
    expect(wall(page).filter(has_text="Benches every hundred metres")).to_have_count(1)
    expect(wall(page).filter(has_text="Light the path by the pond")).to_have_count(1)
    other.context.close()
    blocked.close()


def test_without_script_a_citizen_joins_posts_and_sees_the_wall(
    browser: Browser, server_url: str, room: Room
) -> None:
    context = phone(browser, server_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/j/{room.code}")
    page.get_by_role("button", name="Join the workshop").click()
    # The room answers the form (its address shows once a script can set it).
    expect(idea_box(page)).to_be_visible()

    idea_box(page).fill("Dog bins at each gate")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("status").filter(has_text="Your idea is on the wall.")).to_be_visible()
    expect(wall(page).filter(has_text="Dog bins at each gate")).to_have_count(1)
    expect(wall(room.console).filter(has_text="Dog bins at each gate")).to_have_count(1)

    # An empty post is refused with the reason, in place.
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your idea before you post it.")
    context.close()


def test_an_idea_typed_offline_is_kept_and_sent_once_when_the_phone_is_back(
    browser: Browser, server_url: str, room: Room
) -> None:
    context = phone(browser, server_url)
    switch = SocketSwitch()
    context.route_web_socket(SOCKETS, switch.route)
    page = join_by_link(context, room.code)

    # The network goes: the socket drops and plain HTTP fails too.
    context.set_offline(True)
    switch.cut()
    expect(page.locator("[data-connection]")).to_contain_text("Reconnecting")
    post_idea(page, "Drinking fountain near the playground")
    outbox = page.locator("[data-outbox]")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text("Drinking fountain near the playground")

    # The phone is put away; later the network is back and the page is opened again.
    page.close()
    context.set_offline(False)
    switch.online = True
    again = context.new_page()
    again.goto(f"/w/{room.code}/")
    wait_until_live(again)
    mark_loaded(again)

    expect(again.locator("[data-outbox]")).to_be_hidden()
    expect(wall(again).filter(has_text="Drinking fountain near the playground")).to_have_count(1)
    expect(
        wall(room.console).filter(has_text="Drinking fountain near the playground")
    ).to_have_count(1)
    # Reconnecting resends nothing twice.
    again.reload()
    wait_until_live(again)
    expect(wall(again).filter(has_text="Drinking fountain near the playground")).to_have_count(1)
    context.close()


def test_an_idea_whose_answer_was_a_server_fault_goes_again_and_is_on_the_wall_once(
    browser: Browser, server_url: str, room: Room
) -> None:
    """The database answered late, or a proxy's page came back: the idea may be written."""
    context = phone(browser, server_url)
    page = context.new_page()
    refuse_sockets(page)
    page.goto(f"/j/{room.code}")
    page.get_by_role("button", name="Join the workshop").click()
    expect(page).to_have_url(re.compile(rf"/w/{room.code}/$"))
    expect(page.locator("[data-connection]")).to_contain_text("Reconnecting")

    keys: list[str] = []
    fault = {"ok": False, "code": "server_error", "message": SERVER_FAULT}

    def faulty_server(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(re.findall(r'name="client_key"\s+(\S+)', route.request.post_data or "")[0])
        if len(keys) == 1:
            # Written, but the answer is the server's fault (its database locked meanwhile).
            route.fetch()
            route.fulfill(status=500, json=fault)
        elif len(keys) == 2:
            route.fulfill(status=500, content_type="text/html", body=PROXY_500)
        else:
            route.continue_()

    page.route(re.compile(rf"/w/{room.code}/ideas/$"), faulty_server)
    post_idea(page, "Shade over the sandpit")
    outbox = page.locator("[data-outbox]")
    expect(wall(room.console).filter(has_text="Shade over the sandpit")).to_have_count(1)
    for _ in range(300):
        if len(keys) >= 2:
            break
        page.wait_for_timeout(100)
    # Once the fault is answered the idea is still being sent, never refused: nothing for
    # the citizen to put back and send as a new idea.
    assert len(keys) >= 2, "the idea was not sent again"
    expect(outbox).to_contain_text("Sending…")
    expect(outbox.get_by_role("button")).to_have_count(0)

    expect(outbox).to_be_hidden(timeout=30_000)
    assert len(keys) == 3 and len(set(keys)) == 1, keys
    expect(wall(page).filter(has_text="Shade over the sandpit")).to_have_count(1)
    page.reload()
    expect(wall(page).filter(has_text="Shade over the sandpit")).to_have_count(1)
    expect(wall(room.console).filter(has_text="Shade over the sandpit")).to_have_count(1)
    context.close()


def test_an_idea_answered_with_a_server_fault_over_the_socket_goes_again_once(
    browser: Browser, server_url: str, room: Room
) -> None:
    """Written, but the server's answer on the socket is its fault: the socket stays open."""
    context = phone(browser, server_url)
    faulted: list[str] = []

    def faulty_answers(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "ack" and "idea" in (frame.get("data") or {}) and not faulted:
                faulted.append(frame["request_id"])
                fault = {"code": "server_error", "message": SERVER_FAULT}
                socket.send(
                    json.dumps({"type": "error", "request_id": frame["request_id"], **fault})
                )
                return
            socket.send(message)

        server.on_message(from_server)

    context.route_web_socket(SOCKETS, faulty_answers)
    page = join_by_link(context, room.code)
    post_idea(page, "Water for the dogs by the gate")
    expect(wall(room.console).filter(has_text="Water for the dogs by the gate")).to_have_count(1)
    outbox = page.locator("[data-outbox]")
    expect(outbox).to_be_hidden(timeout=30_000)
    assert len(faulted) == 1
    wait_until_live(page)
    assert_not_reloaded(page)
    expect(wall(page).filter(has_text="Water for the dogs by the gate")).to_have_count(1)
    page.reload()
    expect(wall(page).filter(has_text="Water for the dogs by the gate")).to_have_count(1)
    expect(wall(room.console).filter(has_text="Water for the dogs by the gate")).to_have_count(1)
    context.close()


def test_a_phase_picked_before_the_page_script_starts_is_kept(room: Room) -> None:
    """On a slow laptop the facilitator may pick a phase before the script has run."""
    page = room.console.context.new_page()
    held: list[Route] = []
    page.route("**/bundle/room.*.js", lambda route: held.append(route))
    page.goto(f"/facilitate/{room.code}/", wait_until="commit")
    open_phase_form(page)
    phase = page.get_by_label("Phase", exact=True)
    expect(phase).to_have_value("ideate")
    phase.select_option(label="Closed")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()

    wait_until_live(page)
    expect(phase).to_have_value("closed")
    page.close()
