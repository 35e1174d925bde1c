"""Moderation from the room's snapshot in a real Chromium: what a page shows once its script
has taken a snapshot in (the page's own, or a whole one after a reconnect) is what the same
page shows when it is loaded afresh."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, WebSocketRoute, expect

from tests.browser.test_live_room import (
    PHONE,
    Watch,
    create_workshop,
    join_by_link,
    move_room,
    post_idea,
    sign_up_facilitator,
    wait_until_live,
    wall,
)

pytestmark = pytest.mark.browser

SOCKETS = re.compile(r"/ws/workshops/")


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


class SocketSwitch:
    """Passes a page's sockets through to the server until its network is cut."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.online = True
        self.sockets: list[WebSocketRoute] = []
        page.route_web_socket(SOCKETS, self.route)

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
        expect(self.page.locator("[data-connection]")).to_contain_text("Reconnecting")

    def back(self) -> None:
        """The network is back; the page reconnects (as it does when a phone is unlocked)."""
        self.online = True
        self.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(self.page.locator("[data-connection]")).to_have_text("Live", timeout=30_000)


def words(locator: Locator) -> str:
    return " ".join(locator.inner_text().split())


def console_at(context: BrowserContext, code: str, tool: str) -> Page:
    page = context.new_page()
    page.goto(f"/facilitate/{code}/?tool={tool}")
    wait_until_live(page)
    return page


def premoderate(context: BrowserContext, code: str) -> None:
    """Turn pre-moderation on from a console of its own, by the settings form."""
    page = console_at(context, code, "moderation")
    page.get_by_text("Moderation settings", exact=True).click()
    page.get_by_label("After I approve them (pre-moderation)").check()
    page.get_by_role("button", name="Save moderation settings").click()
    expect(page.get_by_role("status").filter(has_text="Moderation settings saved")).to_be_visible()
    page.close()


def idea_item(page: Page, text: str) -> Locator:
    return page.locator("[data-idea-list] li").filter(has_text=text)


def test_a_citizen_flags_an_idea_on_a_room_page_loaded_afresh(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Flags on a fresh page")
    move_room(console, "Ideate")
    poster_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    reader_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    poster = join_by_link(poster_context, code, "Eager Heron")
    post_idea(poster, "Benches along the river path")
    reader = join_by_link(reader_context, code, "Calm Lynx")
    expect(wall(reader)).to_have_text(["Benches along the river path"])

    # The room page loaded again: its snapshot is still the room's, so the socket only
    # says so, and the page's own snapshot is all the scripts have to go on.
    reader.goto(f"/w/{code}/")
    wait_until_live(reader)
    item = idea_item(reader, "Benches along the river path")
    item.get_by_text("Flag", exact=True).click()
    reason = item.get_by_label("Why does this idea not belong here?")
    reason.select_option(label="Spam or advertising")
    item.get_by_role("button", name="Send flag").click()
    expect(item.get_by_text("You flagged this idea.")).to_be_visible()
    # The author's own idea has nothing to flag.
    expect(
        idea_item(poster, "Benches along the river path").get_by_text("Flag", exact=True)
    ).to_have_count(0)

    review = console_at(facilitator, code, "moderation").locator("[data-review-list]")
    expect(review.get_by_text("Benches along the river path")).to_be_visible()
    expect(review.get_by_text(re.compile("1 flag"))).to_be_visible()

    # Loaded again, the page remembers the flag.
    reader.reload()
    wait_until_live(reader)
    expect(
        idea_item(reader, "Benches along the river path").get_by_text("You flagged this idea.")
    ).to_be_visible()
    assert watch.errors == [], watch.errors
    poster_context.close()
    reader_context.close()


def test_the_console_back_from_a_dropped_connection_shows_what_changed_meanwhile(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Console back online")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone_context, code, "Eager Heron")

    page = facilitator.new_page()
    switch = SocketSwitch(page)
    page.goto(f"/facilitate/{code}/?tool=moderation")
    wait_until_live(page)
    panel = page.locator("[data-moderation-panel]")
    expect(panel.get_by_text("Nothing waits for review.")).to_be_visible()
    expect(panel.locator("[data-moderation-mode]")).to_contain_text("Post-moderation")

    # While the console is offline a colleague turns pre-moderation on and an idea is held.
    switch.cut()
    premoderate(facilitator, code)
    post_idea(citizen, "A quiet reading room upstairs")
    switch.back()

    expect(
        panel.locator("[data-review-list]").get_by_text("A quiet reading room upstairs")
    ).to_be_visible()
    expect(panel.locator("[data-moderation-mode]")).to_contain_text("Pre-moderation")
    expect(panel.get_by_label("After I approve them (pre-moderation)")).to_be_checked()
    expect(page.locator("[data-tool-link=moderation] [data-review-count]")).to_have_text("(1)")

    # Exactly what the console shows when it is loaded afresh.
    fresh = console_at(facilitator, code, "moderation")
    fresh_panel = fresh.locator("[data-moderation-panel]")
    expect(
        fresh_panel.locator("[data-review-list]").get_by_text("A quiet reading room upstairs")
    ).to_be_visible()
    assert words(panel) == words(fresh_panel)
    assert words(page.locator("[data-tool-tabs]")) == words(fresh.locator("[data-tool-tabs]"))
    assert watch.errors == [], watch.errors
    phone_context.close()
    page.close()
    fresh.close()


def test_a_phone_back_from_a_dropped_connection_shows_what_changed_meanwhile(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Phone back online")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    join_by_link(phone_context, code, "Calm Lynx").close()

    page = phone_context.new_page()
    switch = SocketSwitch(page)
    page.goto(f"/w/{code}/")
    wait_until_live(page)
    premoderated = page.get_by_text("A facilitator reads every idea before it appears on the wall.")
    expect(premoderated).to_be_hidden()

    # Offline, the room turns to pre-moderation, and what the phone posts meanwhile (over
    # plain HTTP) is held for review.
    switch.cut()
    premoderate(facilitator, code)
    post_idea(page, "Longer opening hours on Sundays")
    expect(page.locator("[data-outbox]")).to_be_hidden()
    switch.back()

    expect(premoderated).to_be_visible()
    waiting = page.get_by_role("region", name="Your ideas waiting for review")
    expect(waiting).to_contain_text("Longer opening hours on Sundays")

    # The facilitator approves it while the phone watches: it is on the wall, not waiting.
    review = console_at(facilitator, code, "moderation").locator("[data-review-list]")
    review.get_by_role("button", name="Approve").click()
    expect(wall(page)).to_have_text(["Longer opening hours on Sundays"])
    expect(waiting).to_be_hidden()

    # Another one, sent while the phone is online, waits at once; it is approved while the
    # phone is offline: the whole snapshot after the reconnect has it on the wall.
    post_idea(page, "Study booths by the windows")
    expect(page.locator("[data-announcer]")).to_have_text(
        "Your idea is sent. A facilitator reads it before it appears on the wall."
    )
    expect(waiting.locator("li")).to_have_text(["Study booths by the windows"])
    switch.cut()
    review.get_by_role("button", name="Approve").click()
    expect(review.get_by_text("Study booths by the windows")).to_have_count(0)
    switch.back()
    expect(wall(page)).to_have_text(
        ["Study booths by the windows", "Longer opening hours on Sundays"]
    )
    expect(waiting).to_be_hidden()

    fresh = phone_context.new_page()
    fresh.goto(f"/w/{code}/")
    wait_until_live(fresh)
    expect(fresh.get_by_role("region", name="Your ideas waiting for review")).to_have_count(0)
    expect(
        fresh.get_by_text("A facilitator reads every idea before it appears on the wall.")
    ).to_be_visible()
    assert watch.errors == [], watch.errors
    phone_context.close()
