"""The console, the projector and the phone as a stage, at a phone's, a laptop's and a hall's size.

A whole workshop is run by keyboard alone, on the console and on a phone; then every
screen is looked at in every phase at 360x740, 1366x768 and 1920x1080 (and the projector at
1280x720): the console keeps the phase's tools and its next step in view, the projector
never scrolls, the phone never scrolls sideways, and axe-core finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    create_workshop,
    idea_box,
    join_by_link,
    post_idea,
    shoot,
    sign_up_facilitator,
    wait_until_live,
    wall,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
PHONE_SIZE = {"width": 360, "height": 740}
SIZES = {"phone": PHONE_SIZE, "laptop": LAPTOP, "hall": HALL}

BENCH = "A bench by the library entrance"
LAMPS = "Brighter lamps on the library path"
LAMPS_AGAIN = "Brighter lamps on the library path, please"


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def tab_to(page: Page, target: Locator, limit: int = 150) -> None:
    """Press Tab until `target` has the keyboard, as someone without a mouse would."""
    for _ in range(limit):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def next_by_keyboard(console: Page, phase: str) -> None:
    """Take the console's one obvious next step by keyboard."""
    button = console.get_by_role("button", name=f"Next: {phase}")
    tab_to(console, button)
    expect(button).to_be_in_viewport()
    console.keyboard.press("Enter")
    expect(console.locator("[data-phase-label]")).to_have_text(phase)
    wait_until_live(console)


def cluster_ideas(page: Page, name: str) -> Locator:
    cluster = page.locator("[data-group-board] .cluster").filter(
        has=page.locator("h3", has_text=re.compile(rf"^{re.escape(name)} \(\d+\)$"))
    )
    return cluster.locator(".cluster-ideas .idea-text")


def board_card(page: Page, text: str) -> Locator:
    return page.locator("[data-group-board] .group-idea").filter(
        has=page.locator(".idea-text", has_text=re.compile(rf"^{re.escape(text)}$"))
    )


def test_a_whole_workshop_runs_by_keyboard_alone(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext
) -> None:
    watch = Watch()
    merges: list[str] = []
    console, code = create_workshop(facilitator, "Paths by the library")
    console.set_viewport_size(LAPTOP)

    def accept_merges(dialog: Dialog) -> None:
        if dialog.type == "confirm" and dialog.message.startswith("Merge “"):
            merges.append(dialog.message)
            dialog.accept()
        else:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

    console.on("dialog", accept_merges)
    console.on("pageerror", lambda error: watch.errors.append(str(error)))
    wait_until_live(console)
    # The lobby's tool is letting people in: the code is in view at once.
    expect(console.locator("[data-join-code]")).to_be_in_viewport()

    phone_context = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
    phone = phone_context.new_page()
    phone.goto(f"/j/{code}")
    tab_to(phone, phone.get_by_role("button", name="Join the workshop"))
    phone.keyboard.press("Enter")
    wait_until_live(phone)
    # A citizen's room has no way to the facilitators' sign-in.
    expect(phone.get_by_role("link", name="Facilitator sign in")).to_have_count(0)

    next_by_keyboard(console, "Ideate")
    expect(console.get_by_role("heading", name=re.compile(r"^Ideas \(\d+\)$"))).to_be_in_viewport()
    for text in (BENCH, LAMPS, LAMPS_AGAIN):
        tab_to(phone, idea_box(phone))
        phone.keyboard.type(text)
        tab_to(phone, phone.get_by_role("button", name="Post idea"))
        phone.keyboard.press("Enter")
        expect(idea_box(phone)).to_have_value("")
        # Her newest idea is on top of her wall, marked as hers.
        expect(wall(phone).first).to_have_text(text)
        expect(phone.locator("[data-idea-list] .idea").first).to_contain_text("your idea")
    expect(wall(console)).to_have_text([BENCH, LAMPS, LAMPS_AGAIN])

    # ---- group: a cluster, a move and a merge, all by keyboard ----------------------------
    next_by_keyboard(console, "Group")
    expect(console.locator(".board-unsorted")).to_be_in_viewport()
    tab_to(console, console.get_by_label("New cluster"))
    console.keyboard.type("Paths")
    console.keyboard.press("Enter")
    expect(console.get_by_role("heading", name="Paths (0)")).to_be_visible()
    pick = board_card(console, LAMPS).get_by_role("button", name="Move or merge")
    tab_to(console, pick)
    console.keyboard.press("Enter")
    expect(board_card(console, LAMPS).get_by_label("Move to…")).to_be_focused()
    console.keyboard.press("End")
    expect(cluster_ideas(console, "Paths")).to_have_text([LAMPS])
    expect(cluster_ideas(phone, "Paths")).to_have_text([LAMPS])
    console.keyboard.press("Escape")
    expect(pick).to_be_focused()

    duplicate = board_card(console, LAMPS_AGAIN)
    tab_to(console, duplicate.get_by_role("button", name="Move or merge"))
    console.keyboard.press("Enter")
    console.keyboard.press("Tab")
    expect(duplicate.get_by_label("Merge this duplicate into…")).to_be_focused()
    console.keyboard.type("brighter lamps")
    match = duplicate.locator(".merge-results button")
    expect(match).to_have_text([LAMPS])
    tab_to(console, match)
    console.keyboard.press("Enter")
    expect(board_card(console, LAMPS_AGAIN)).to_have_count(0)
    expect(board_card(phone, LAMPS_AGAIN)).to_have_count(0)
    assert merges == [f"Merge “{LAMPS_AGAIN}” into “{LAMPS}”? Both keep their words."]

    # ---- vote: a dot by keyboard, the counter in view beside the controls ------------------
    next_by_keyboard(console, "Vote")
    left = phone.locator("[data-vote-remaining]")
    expect(left).to_have_text(re.compile(r"^\d+ dots left$"))
    before = int(left.inner_text().split()[0])
    give = phone.get_by_role("button", name=f"Give a dot to {BENCH}")
    tab_to(phone, give)
    phone.keyboard.press("Enter")
    expect(left).to_have_text(f"{before - 1} dot{'' if before - 1 == 1 else 's'} left")
    expect(left).to_be_in_viewport()
    expect(give).to_be_in_viewport()

    next_by_keyboard(console, "Results")
    expect(console.locator("[data-voting-console] .tally-total").first).to_have_text("1 dot")
    next_by_keyboard(console, "Value propositions")
    next_by_keyboard(console, "Closed")
    expect(phone.get_by_text("This workshop has closed.")).to_be_visible()
    # Every tool is a tab away: the summary's downloads by keyboard.
    summary_tab = console.locator("[data-tool-tabs]").get_by_role("link", name="Summary")
    expect(summary_tab).to_have_attribute("aria-current", "page")
    tab_to(
        console, console.locator("[data-tool-tabs]").get_by_role("link", name="Share and settings")
    )
    console.keyboard.press("Enter")
    expect(console.get_by_text("Read-only link for decision-makers:")).to_be_visible()
    expect(console.get_by_role("link", name="Open the summary")).to_be_hidden()

    assert watch.dialogs == [], watch.dialogs
    assert watch.errors == [], watch.errors
    phone_context.close()
    console.close()


def test_every_screen_fits_every_size_in_every_phase(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext
) -> None:
    watch = Watch()
    problems: dict[str, list[str]] = {}
    console, code = create_workshop(facilitator, "Fit for the hall")
    watch.page(console)
    projector = watch.page(facilitator.new_page())
    projector.goto(f"/facilitate/{code}/projector/")
    wait_until_live(projector)
    phone_context = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
    phone = join_by_link(phone_context, code, name="Ada")

    def look(phase: str) -> None:
        for size_name, size in SIZES.items():
            for name, page in (("console", console), ("projector", projector), ("phone", phone)):
                page.set_viewport_size(size)
                # As the page opens: at its top (the steps before may have scrolled it).
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(50)
                label = f"{name}-{phase}-{size_name}"
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= size["width"], f"{label} scrolls sideways ({width} px)"
                if name == "projector":
                    height = page.evaluate("document.documentElement.scrollHeight")
                    assert height <= size["height"], f"{label} scrolls ({height} px)"
                if name == "console" and size_name != "phone":
                    # The phase's next step and its tool in view without scrolling.
                    tool = console.locator("[data-tool]:not([hidden]) h2").first
                    expect(tool).to_be_in_viewport()
                    if phase != "closed":
                        expect(console.locator("[data-next-button]")).to_be_in_viewport()
                # A new idea fades in on the projector: read the colours once it has
                # arrived, not half-way through its entrance.
                page.evaluate(
                    "Promise.allSettled(document.getAnimations()"
                    ".filter(a => a.effect?.getComputedTiming().endTime !== Infinity)"
                    ".map(a => a.finished))"
                )
                found = axe_violations(page)
                if found:
                    problems[label] = found
                shoot(page, label)
        projector.set_viewport_size(SMALL_PROJECTOR)
        height = projector.evaluate("document.documentElement.scrollHeight")
        assert height <= SMALL_PROJECTOR["height"], f"the projector scrolls at 1280x720 in {phase}"

    def advance(phase: str) -> None:
        console.set_viewport_size(LAPTOP)
        console.get_by_role("button", name=f"Next: {phase}").click()
        expect(console.locator("[data-phase-label]")).to_have_text(phase)
        wait_until_live(console)
        expect(projector.locator("[data-phase-label]")).to_have_text(phase)
        expect(phone.locator("[data-phase-label]")).to_have_text(phase)

    # Lobby: the projector's join box is the stage.
    projector.set_viewport_size(HALL)
    big = projector.locator(".projector-join .qr").bounding_box()
    assert big is not None and big["width"] >= 300, big
    look("lobby")

    advance("Ideate")
    for text in (BENCH, LAMPS):
        post_idea(phone, text)
    # Newest on top, with the join box shrunk to a corner.
    expect(projector.locator("[data-idea-list] .idea-text")).to_have_text([LAMPS, BENCH])
    projector.set_viewport_size(HALL)
    qr = projector.locator(".projector-join .qr").bounding_box()
    assert qr is not None and qr["width"] < 200 and qr["x"] > HALL["width"] / 2
    look("ideate")

    advance("Group")
    console.get_by_label("New cluster").fill("Paths")
    console.get_by_role("button", name="Add cluster").click()
    card = board_card(console, LAMPS)
    card.get_by_role("button", name="Move or merge").click()
    card.get_by_label("Move to…").select_option(label="Paths")
    expect(cluster_ideas(projector, "Paths")).to_have_text([LAMPS])
    look("group")

    advance("Vote")
    phone.get_by_role("button", name=f"Give a dot to {BENCH}").click()
    # The projector says how many have voted, and nothing of the tallies.
    expect(projector.locator("[data-voters]")).to_have_text("1 person has voted")
    expect(projector.locator(".tally")).to_have_count(0)
    look("vote")

    console.set_viewport_size(LAPTOP)
    console.get_by_role("button", name="Reveal the tallies to the room").click()
    expect(console.locator("[data-tallies-state]")).to_have_text("The room sees the tallies.")
    wait_until_live(console)
    advance("Results")
    expect(projector.locator("[data-tally-list] .tally-label").first).to_have_text(BENCH)
    expect(projector.locator("[data-tally-list] .tally-total").first).to_have_text("1 dot")
    expect(projector.locator("[data-tally-list] .tally-supporters").first).to_have_text(
        "1 supporter"
    )
    look("results")

    advance("Value propositions")
    look("propose")

    advance("Closed")
    expect(projector.get_by_role("heading", name="Thank you for taking part")).to_be_visible()
    # Thanks and what comes next, not the join code.
    expect(projector.locator("[data-projector-join]")).to_be_hidden()
    look("closed")

    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
    assert not problems, f"axe-core violations:\n{report}"
    assert watch.dialogs == [], watch.dialogs
    assert watch.errors == [], watch.errors
    phone_context.close()
    projector.close()
    console.close()
