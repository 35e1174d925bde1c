"""Moderation in a real Chromium: a held idea reaches only the facilitator, and a removed
participant loses the room on the spot and for good."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

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
    wall,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def test_a_held_idea_reaches_only_the_facilitator_and_a_removed_phone_is_out(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Moderated library evening")
    watch.page(console)
    move_room(console, "Ideate")
    open_tool(console, "Moderation")
    console.get_by_text("Moderation settings", exact=True).click()
    console.get_by_label("After I approve them (pre-moderation)").check()
    console.get_by_role("button", name="Save moderation settings").click()
    expect(
        console.get_by_role("status").filter(has_text="Moderation settings saved")
    ).to_be_visible()
    wait_until_live(console)
    review = console.locator("[data-review-list]")

    poster_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    reader_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    poster = join_by_link(poster_context, code, "Eager Heron")
    reader = join_by_link(reader_context, code, "Calm Lynx")
    expect(poster.get_by_text("A facilitator reads every idea before it appears")).to_be_visible()

    post_idea(poster, "Beanbags on the empty floor")

    # The facilitator sees it live, with why it waits; the other phone sees nothing.
    expect(review.get_by_text("Beanbags on the empty floor")).to_be_visible()
    expect(review.get_by_text(re.compile("pre-moderation"))).to_be_visible()
    reader.wait_for_timeout(500)
    expect(wall(reader)).to_have_count(0)
    expect(reader.get_by_text("Beanbags on the empty floor")).to_have_count(0)

    review.get_by_role("button", name="Approve").click()
    expect(wall(reader)).to_have_text(["Beanbags on the empty floor"])
    expect(review.get_by_text("Beanbags on the empty floor")).to_have_count(0)

    # A second idea from the same phone; the facilitator removes its author.
    post_idea(poster, "Buy my old car, call 12345678")
    item = review.locator("li").filter(has_text="Buy my old car")
    expect(item).to_be_visible()
    item.get_by_label("Reason (for the log)").fill("Advertising and a phone number")
    item.get_by_role("button", name="Remove author").click()

    # The phone is hung up on at once and stays out on a reload: no way back in, only
    # its own data to take or erase.
    expect(poster.locator("[data-connection]")).not_to_have_text("Live")
    poster.reload()
    expect(poster).to_have_url(re.compile(rf"/j/{code}$"))
    expect(poster.get_by_text("A facilitator has removed you from this workshop.")).to_be_visible()
    expect(poster.get_by_role("button", name="Join the workshop")).to_have_count(0)
    expect(poster.get_by_role("heading", name="Your data")).to_be_visible()
    expect(reader.get_by_text("Buy my old car")).to_have_count(0)
    expect(console.locator("[data-restricted-list]")).to_contain_text("Eager Heron")

    # The log records it, and nothing on any page broke.
    console.goto(f"/facilitate/{code}/moderation/log/")
    expect(console.get_by_role("cell", name="Advertising and a phone number")).to_be_visible()
    assert watch.errors == [], watch.errors
    assert watch.dialogs == [], watch.dialogs
    poster_context.close()
    reader_context.close()
