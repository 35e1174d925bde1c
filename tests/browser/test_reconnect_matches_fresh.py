"""A screen back from a dropped connection shows what the same screen shows loaded afresh.

While its socket is down the room moves on; on the reconnect the whole snapshot reaches
every script of the page, and each draws its part from it alone, in a real Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_group_and_vote import board_card, board_headings, cluster_ideas
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    create_workshop,
    join_by_link,
    move_room,
    post_idea,
    sign_up_facilitator,
    wait_until_live,
)
from tests.browser.test_moderation_snapshot import SocketSwitch, console_at, words
from tests.browser.test_summary import write_proposition

pytestmark = pytest.mark.browser

STUDY = "Homework help on Tuesdays"
MUSIC = "Let teenagers run the music room on Fridays"
QUIET = "A quiet reading room upstairs"


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def add_cluster(console: Page, name: str) -> None:
    console.get_by_label("New cluster").fill(name)
    console.get_by_role("button", name="Add cluster").click()
    expect(board_headings(console).filter(has_text=name)).to_have_count(1)


def move_to(console: Page, idea: str, cluster: str) -> None:
    board_card(console, idea).get_by_role("button", name="Move or merge").click()
    board_card(console, idea).get_by_label("Move to…").select_option(label=cluster)
    expect(cluster_ideas(console, cluster).filter(has_text=idea)).to_have_count(1)
    console.keyboard.press("Escape")


def test_the_grouping_board_back_from_a_dropped_connection_is_the_board_loaded_afresh(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Board back online")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone_context, code, "Calm Lynx")
    for idea in (STUDY, MUSIC, QUIET):
        post_idea(citizen, idea)
    move_room(console, "Group")
    add_cluster(console, "Places to study")
    move_to(console, STUDY, "Places to study")

    board = facilitator.new_page()
    board_switch = SocketSwitch(board)
    board.goto(f"/facilitate/{code}/?tool=group")
    wait_until_live(board)
    phone = phone_context.new_page()
    phone_switch = SocketSwitch(phone)
    phone.goto(f"/w/{code}/")
    wait_until_live(phone)
    expect(cluster_ideas(phone, "Places to study")).to_have_text([STUDY])

    # Offline, the room is sorted on: a new cluster, a renamed one, ideas moved, and the
    # room allowed to sort.
    board_switch.cut()
    phone_switch.cut()
    add_cluster(console, "Music and noise")
    move_to(console, MUSIC, "Music and noise")
    move_to(console, QUIET, "Places to study")
    rename = console.get_by_label("Name of cluster 1")
    rename.fill("Quiet places to study")
    rename.press("Enter")
    expect(board_headings(console).filter(has_text="Quiet places to study")).to_have_count(1)
    console.get_by_label("Participants may move ideas between clusters in the group phase").check()
    board_switch.back()
    phone_switch.back()

    expect(cluster_ideas(board, "Quiet places to study")).to_have_text([STUDY, QUIET])
    expect(cluster_ideas(phone, "Music and noise")).to_have_text([MUSIC])
    expect(board_card(phone, MUSIC).get_by_role("button", name="Move")).to_be_visible()

    fresh_board = console_at(facilitator, code, "group")
    fresh_phone = phone_context.new_page()
    fresh_phone.goto(f"/w/{code}/")
    wait_until_live(fresh_phone)
    expect(cluster_ideas(fresh_board, "Quiet places to study")).to_have_text([STUDY, QUIET])
    expect(cluster_ideas(fresh_phone, "Music and noise")).to_have_text([MUSIC])
    assert words(board.locator('[data-tool="group"]')) == words(
        fresh_board.locator('[data-tool="group"]')
    )
    assert words(phone.locator("main")) == words(fresh_phone.locator("main"))
    assert re.search(r"Unsorted ideas \(0\)", words(board.locator('[data-tool="group"]')))
    assert watch.errors == [], watch.errors
    phone_context.close()
    board.close()
    fresh_board.close()


def test_value_propositions_back_from_a_dropped_connection_are_the_ones_loaded_afresh(
    browser: Browser, server_url: str, facilitator: BrowserContext
) -> None:
    watch = Watch()
    console, code = create_workshop(watch.context(facilitator), "Propositions back online")
    move_room(console, "Ideate")
    phone_context = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone_context, code, "Calm Lynx")
    for idea in (STUDY, MUSIC):
        post_idea(citizen, idea)
    move_room(console, "Value propositions")
    write_proposition(console, STUDY, "Somewhere calm to do homework")

    writing = facilitator.new_page()
    writing_switch = SocketSwitch(writing)
    writing.goto(f"/facilitate/{code}/?tool=propose")
    wait_until_live(writing)
    phone = phone_context.new_page()
    phone_switch = SocketSwitch(phone)
    phone.goto(f"/w/{code}/")
    wait_until_live(phone)
    expect(phone.locator("[data-propositions-panel]")).to_contain_text("Somewhere calm")

    # Offline, a second one is written and the room may suggest text.
    writing_switch.cut()
    phone_switch.cut()
    write_proposition(console, MUSIC, "Somewhere to play loud music together")
    console.get_by_label("Participants may suggest text").check()
    expect(citizen.get_by_label(f"Suggest text for {MUSIC}")).to_be_visible()
    writing_switch.back()
    phone_switch.back()

    panel = phone.locator("[data-propositions-panel]")
    expect(panel).to_contain_text("Somewhere to play loud music together")
    expect(panel.get_by_label(f"Suggest text for {MUSIC}")).to_be_visible()
    expect(writing.get_by_label("Participants may suggest text")).to_be_checked()

    fresh_writing = console_at(facilitator, code, "propose")
    fresh_phone = phone_context.new_page()
    fresh_phone.goto(f"/w/{code}/")
    wait_until_live(fresh_phone)
    expect(fresh_phone.locator("[data-propositions-panel]")).to_contain_text("loud music")
    assert words(writing.locator('[data-tool="propose"]')) == words(
        fresh_writing.locator('[data-tool="propose"]')
    )
    assert words(phone.locator("main")) == words(fresh_phone.locator("main"))
    assert watch.errors == [], watch.errors
    phone_context.close()
    writing.close()
    fresh_writing.close()
