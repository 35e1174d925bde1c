"""A room page loaded while its snapshot is still the room's, in a real Chromium.

The socket then only says the page's snapshot is current, so the page's own snapshot is
all the room's scripts are given: each must draw its part from it, and keep it for the
events that follow, as it would from a whole snapshot on the socket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_group_and_vote import board_headings
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    create_workshop,
    join_by_link,
    move_room,
    open_tool,
    post_idea,
    sign_up_facilitator,
    wait_until_live,
)
from tests.browser.test_summary import write_proposition

pytestmark = pytest.mark.browser

ROOF = "Open the roof terrace for homework cafés"
MUSIC = "Let teenagers run the music room on Fridays"


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def reload_current(page: Page) -> None:
    """Load the room page again, and make sure the socket found its snapshot current."""
    frames: list[str | bytes] = []
    page.on(
        "websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame))
    )
    page.reload()
    wait_until_live(page)
    assert frames and json.loads(frames[0])["type"] == "snapshot.current", frames[:1]


def test_a_phone_loaded_while_value_propositions_are_written_shows_them(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Propositions on a fresh page")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone_context, code, "Calm Lynx")
    post_idea(citizen, ROOF)
    post_idea(citizen, MUSIC)
    move_room(console, "Value propositions")
    write_proposition(console, ROOF, "A quiet place to do homework after school")

    reload_current(citizen)
    panel = citizen.locator("[data-propositions-panel]")
    expect(panel.get_by_role("heading", name=ROOF)).to_be_visible()
    expect(panel).to_contain_text("A quiet place to do homework after school")

    # A second one written while the phone watches joins the first, which stays.
    write_proposition(console, MUSIC, "Somewhere to play loud music together")
    expect(panel.get_by_role("heading", name=MUSIC)).to_be_visible()
    expect(panel.get_by_role("heading", name=ROOF)).to_be_visible()
    assert watch.errors == [], watch.errors
    phone_context.close()


def test_a_phone_loaded_while_the_room_groups_may_sort_and_keeps_every_cluster(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Clusters on a fresh page")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone_context, code, "Calm Lynx")
    post_idea(citizen, ROOF)
    move_room(console, "Group")
    open_tool(console, "Group")
    console.get_by_label("New cluster").fill("Places to study")
    console.get_by_role("button", name="Add cluster").click()
    expect(board_headings(console).filter(has_text="Places to study")).to_have_count(1)
    console.get_by_label("Participants may move ideas between clusters in the group phase").check()
    expect(citizen.get_by_text("You may move ideas between clusters")).to_be_visible()

    reload_current(citizen)
    board = citizen.locator('[data-group-panel="room"]')
    expect(board.get_by_text("You may move ideas between clusters")).to_be_visible()
    card = board.locator(".group-idea").filter(has_text=ROOF)
    expect(card.get_by_role("button", name="Move")).to_be_visible()

    # A cluster added while the phone watches comes beside the one it had, not instead.
    console.get_by_label("New cluster").fill("Music and noise")
    console.get_by_role("button", name="Add cluster").click()
    expect(board_headings(citizen)).to_have_text(
        [re.compile(r"^Places to study"), re.compile(r"^Music and noise"), re.compile("^Unsorted")]
    )
    assert watch.errors == [], watch.errors
    phone_context.close()


# Hooks into the room as an app script does, before any other, and fails on every snapshot.
BROKEN_APP = """(() => {
  let room;
  Object.defineProperty(window, "SamskabRoom", {
    configurable: true,
    get() { return room; },
    set(value) {
      room = value;
      value.on("snapshot", () => { throw new Error("A broken app script"); });
    },
  });
})();"""


def test_an_app_script_that_fails_on_the_snapshot_costs_the_room_nothing_else(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "A broken script")
    move_room(console, "Ideate")
    poster_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    poster = join_by_link(poster_context, code, "Eager Heron")
    post_idea(poster, ROOF)
    assert watch.errors == [], watch.errors

    reader_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    reader_context.add_init_script(BROKEN_APP)
    # Joined and loaded afresh, the phone is live, with the wall and every other script's
    # part: the idea can be flagged.
    reader = join_by_link(reader_context, code, "Calm Lynx")
    reload_current(reader)
    item = reader.locator("[data-idea-list] li").filter(has_text=ROOF)
    expect(item.get_by_text("Flag", exact=True)).to_be_visible()
    post_idea(reader, MUSIC)
    expect(poster.locator("[data-idea-list] .idea-text")).to_have_text([MUSIC, ROOF])
    # The fault is still reported, as the browser reports any other.
    assert watch.errors and all("A broken app script" in error for error in watch.errors), (
        watch.errors
    )
    poster_context.close()
    reader_context.close()
