"""The console's board over plain HTTP, when the socket cannot open: what the server
answers a form the facilitator sends, the facilitator sees on the board, in words that
say what happened, and a refused form changes nothing and keeps what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.checks import axe_violations
from tests.browser.test_live_room import create_workshop, move_room, open_tool, sign_up_facilitator
from tests.browser.test_unreliable_network import refuse_sockets

pytestmark = pytest.mark.browser

# What the server says of a form it cannot read, and the page of a form's answer that is
# not the server's JSON (a proxy's error page).
UNREADABLE = "The server could not read what was sent"
NOT_CARRIED_OUT = "The server could not carry that out."
OFFLINE = "No connection. Try again in a moment."
# More than Django reads of a form (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB).
TOO_LONG = 3_000_000


@pytest.fixture(scope="module")
def laptop(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def board_headings(page: Page) -> list[str]:
    return page.locator("[data-group-board] .cluster > h3").all_inner_texts()


def test_a_refused_or_unreadable_form_is_shown_on_the_console_and_changes_nothing(
    laptop: BrowserContext,
) -> None:
    first, code = create_workshop(laptop, "Bikes and libraries")
    move_room(first, "Group")
    first.close()
    console = laptop.new_page()
    refuse_sockets(console)
    console.goto(f"/facilitate/{code}/")
    name = console.get_by_label("New cluster")
    add = console.get_by_role("button", name="Add cluster")
    error = console.locator("[data-group-error]")

    name.fill("Cycling")
    add.click()
    expect(console.locator("[data-group-board] .cluster > h3")).to_have_text(
        ["Unsorted ideas (0)", "Cycling (0)"]
    )

    # A name too long for the server to read: refused in words, nothing added.
    name.evaluate(f"(box) => {{ box.value = 'Library '.repeat({TOO_LONG // 8}); }}")
    add.click()
    expect(error).to_be_visible()
    expect(error).to_contain_text(UNREADABLE)
    assert board_headings(console) == ["Unsorted ideas (0)", "Cycling (0)"]
    assert len(name.input_value()) > TOO_LONG - 8

    # A refusal of the room's own: a name of spaces only.
    name.fill("   ")
    add.click()
    expect(error).to_have_text("Give the cluster a name.")
    assert board_headings(console) == ["Unsorted ideas (0)", "Cycling (0)"]

    # An answer that is not the server's JSON (a proxy's own page) is an error of the
    # server's, never taken for a lost connection; a gateway that cannot reach the server
    # is one, and says so.
    proxy_pages = {413: "413 Request Entity Too Large", 502: "502 Bad Gateway"}
    answers = list(proxy_pages)

    def proxy_page(route: Route) -> None:
        status = answers.pop(0)
        route.fulfill(
            status=status,
            content_type="text/html",
            body=f"<html><body><h1>{proxy_pages[status]}</h1></body></html>",
        )

    clusters = re.compile(rf"/w/{code}/clusters/$")
    console.route(clusters, proxy_page)
    name.fill("Library hours")
    add.click()
    expect(error).to_contain_text(NOT_CARRIED_OUT)
    expect(name).to_have_value("Library hours")
    assert board_headings(console) == ["Unsorted ideas (0)", "Cycling (0)"]
    assert axe_violations(console) == []
    add.click()
    expect(error).to_have_text(OFFLINE)
    expect(name).to_have_value("Library hours")
    assert board_headings(console) == ["Unsorted ideas (0)", "Cycling (0)"]

    console.unroute(clusters)
    add.click()
    expect(console.locator("[data-group-board] .cluster > h3")).to_have_text(
        ["Unsorted ideas (0)", "Cycling (0)", "Library hours (0)"]
    )
    expect(error).to_be_hidden()
    console.close()


def test_a_stale_page_and_a_console_without_script(
    browser: Browser, server_url: str, laptop: BrowserContext
) -> None:
    first, code = create_workshop(laptop, "Stale pages")
    move_room(first, "Group")
    first.close()
    console = laptop.new_page()
    refuse_sockets(console)
    console.goto(f"/facilitate/{code}/")
    error = console.locator("[data-group-error]")

    # The page's CSRF cookie is gone (as when the browser dropped it): said, nothing made.
    laptop.clear_cookies(name="csrftoken")
    console.get_by_label("New cluster").fill("Cycling")
    console.get_by_role("button", name="Add cluster").click()
    expect(error).to_have_text("This page has expired. Reload it and try again.")
    assert board_headings(console) == ["Unsorted ideas (0)"]
    console.close()

    # Without script the same form posts and comes back to the console, which says so.
    no_script = browser.new_context(
        base_url=server_url, java_script_enabled=False, storage_state=laptop.storage_state()
    )
    page = no_script.new_page()
    page.goto(f"/facilitate/{code}/?tool=group")
    page.get_by_label("New cluster").fill("Cycling")
    page.get_by_role("button", name="Add cluster").click()
    expect(page).to_have_url(re.compile(rf"/facilitate/{code}/"))
    expect(page.locator(".messages")).to_contain_text("The cluster is on the board.")
    no_script.close()


def test_a_refused_rename_or_tags_keep_what_the_facilitator_typed(laptop: BrowserContext) -> None:
    first, code = create_workshop(laptop, "Renaming clusters")
    move_room(first, "Group")
    first.close()
    console = laptop.new_page()
    refuse_sockets(console)
    console.goto(f"/facilitate/{code}/")
    error = console.locator("[data-group-error]")
    console.get_by_label("New cluster").fill("Cycling")
    console.get_by_role("button", name="Add cluster").click()
    expect(console.locator("[data-group-board] .cluster > h3")).to_have_text(
        ["Unsorted ideas (0)", "Cycling (0)"]
    )

    # The rename's answer is a proxy's error page: said, and the new name stays typed.
    name = console.get_by_label("Name of cluster 1")
    rename = re.compile(rf"/w/{code}/clusters/\d+/rename/$")
    console.route(
        rename,
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<h1>500 Internal Server Error</h1>"
        ),
    )
    name.fill("Cycling paths")
    console.get_by_role("button", name="Rename", exact=True).click()
    expect(error).to_contain_text(NOT_CARRIED_OUT)
    expect(name).to_have_value("Cycling paths")
    assert board_headings(console) == ["Unsorted ideas (0)", "Cycling (0)"]
    console.unroute(rename)
    console.get_by_role("button", name="Rename", exact=True).click()
    expect(console.locator("[data-group-board] .cluster > h3")).to_have_text(
        ["Unsorted ideas (0)", "Cycling paths (0)"]
    )
    expect(error).to_be_hidden()

    # Tags the room refuses: said, and what was typed stays to be mended.
    tags = console.get_by_label("Cluster tags (comma-separated)")
    too_long = "bikes, " + "cargo" * 9
    tags.fill(too_long)
    console.get_by_role("button", name="Save tags").click()
    expect(error).to_have_text("A tag can be at most 40 characters.")
    expect(tags).to_have_value(too_long)
    tags.fill("bikes, cargo")
    console.get_by_role("button", name="Save tags").click()
    expect(console.locator("[data-group-board] .cluster .tags").first).to_have_text(
        re.compile("bikes.*cargo", re.S)
    )
    expect(error).to_be_hidden()
    expect(tags).to_have_value("bikes, cargo")
    console.close()


# Each text the board's alert takes, in turn: what a screen reader hears read out.
RECORD_ALERTS = """() => {
  window.alertsRead = [];
  new MutationObserver(() => {
    const line = document.querySelector("[data-group-error]");
    const text = line ? line.textContent : "";
    if (window.alertsRead[window.alertsRead.length - 1] !== text) window.alertsRead.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def test_a_refusal_is_read_out_each_time_and_also_from_another_tool(
    laptop: BrowserContext,
) -> None:
    first, code = create_workshop(laptop, "Refusals read out")
    move_room(first, "Group")
    first.close()
    console = laptop.new_page()
    refuse_sockets(console)
    console.goto(f"/facilitate/{code}/")
    console.evaluate(RECORD_ALERTS)
    name = console.get_by_label("New cluster")
    add = console.get_by_role("button", name="Add cluster")
    error = console.locator("[data-group-error]")

    # The same refusal twice: the alert changes twice, so it is read out twice.
    for times in (1, 2):
        name.fill("   ")
        add.click()
        console.wait_for_function(
            "(times) => window.alertsRead.filter((text) => text === 'Give the cluster a name.')"
            ".length >= times",
            arg=times,
        )
    expect(error).to_have_text("Give the cluster a name.")

    # The answer comes once the facilitator has opened another tool: the room says it.
    held: list[Route] = []
    clusters = re.compile(rf"/w/{code}/clusters/$")
    console.route(clusters, lambda route: held.append(route))
    name.fill("   ")
    add.click()
    for _ in range(100):
        if held:
            break
        console.wait_for_timeout(50)
    open_tool(console, "Ideas")
    expect(error).to_be_hidden()
    held[0].continue_()
    expect(
        console.locator("[aria-live=polite]").filter(has_text="Give the cluster a name.")
    ).to_have_count(1)
    console.close()
