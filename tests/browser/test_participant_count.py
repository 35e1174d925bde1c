"""The room's count of participants never steps back to an older count.

A join's event can reach a screen after a count read later: held back behind a newer
snapshot while a crowd joins, or crossing another server's join on the bus. Each count
says which participant it was counted up to, and a screen keeps only the newer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_join import new_workshop, open_join_page, phone
from tests.browser.test_live_room import PHONE, post_idea, wait_until_live, wall

__all__ = ["phone"]  # the fixture, shared with the join page's tests

pytestmark = pytest.mark.browser

SOCKETS = re.compile(r"/ws/workshops/")


class Crossing:
    """Between a screen and the real server: holds the room's joins until released, then
    hands them on in the order asked for; every other frame passes as it comes."""

    def __init__(self) -> None:
        self.socket: WebSocketRoute | None = None
        self.joins: list[dict[str, Any]] = []

    def route(self, socket: WebSocketRoute) -> None:
        self.socket = socket
        server = socket.connect_to_server()
        server.on_message(self._from_server)

    def _from_server(self, message: str | bytes) -> None:
        assert self.socket is not None
        frame = json.loads(message)
        events = frame["events"] if frame["type"] == "batch" else [frame]
        if all(event["type"] == "participant.joined" for event in events):
            self.joins += events
            return
        self.socket.send(message)

    def release_newest_first(self) -> None:
        assert self.socket is not None
        for event in reversed(self.joins):
            self.socket.send(json.dumps(event))
        self.joins = []


def observer_link(live_daphne: LiveServer, code: str) -> str:
    script = (
        "from workshops.models import Workshop\n"
        f"print(Workshop.objects.get(join_code={code!r}).observer_token)\n"
    )
    token = live_daphne.manage("shell", "-c", script).strip().splitlines()[-1]
    return f"/observe/{token}/"


def join(context: BrowserContext, code: str, name: str) -> Page:
    page, _posted = open_join_page(context, code)
    page.get_by_label("Your name in the room").fill(name)
    page.get_by_label("Your name in the room").press("Enter")
    wait_until_live(page)
    return page


def test_a_join_counted_before_another_never_shows_after_it(
    browser: Browser, server_url: str, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Swings in the courtyard")
    observer = browser.new_context(base_url=server_url, **PHONE)
    crossing = Crossing()
    observer.route_web_socket(SOCKETS, crossing.route)
    screen = observer.new_page()
    screen.goto(observer_link(live_daphne, code))
    wait_until_live(screen)
    count = screen.locator("[data-participant-count]")
    expect(count).to_have_text("0")

    first = join(browser.new_context(base_url=server_url, **PHONE), code, "Alma")
    second = join(browser.new_context(base_url=server_url, **PHONE), code, "Bent")
    for _ in range(100):
        if len(crossing.joins) == 2:
            break
        screen.wait_for_timeout(100)
    assert [join["data"]["participant_count"] for join in crossing.joins] == [1, 2]

    # The two joins reach the screen the other way round, then an idea after them.
    crossing.release_newest_first()
    post_idea(first, "A bench under the chestnut")
    expect(wall(screen).filter(has_text="A bench under the chestnut")).to_have_count(1)

    expect(count).to_have_text("2")
    observer.close()
    first.context.close()
    second.context.close()
