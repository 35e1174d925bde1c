"""A workshop run from ideas through grouping and a dot vote to its results, in a real Chromium.

A facilitator on a laptop, two citizens on 360 px phones and a projector. Every step is
taken on the pages themselves. The phones and the projector are never reloaded: each
change reaches them over the room's socket. The console's own forms (phase, voting
rules, reveal) post and come back, as they do without script; the board's actions
(suggest, accept, create, move, merge, allow) must not reload it either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.test_join import open_join_page
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    assert_not_reloaded,
    create_workshop,
    join_by_link,
    mark_loaded,
    move_room,
    open_tool,
    post_idea,
    shoot,
    sign_up_facilitator,
    wait_until_live,
    wall,
)

pytestmark = pytest.mark.browser

# Ada's ideas, then Bo's. Two themes the suggestions find (bike lanes, library hours),
# one cycling idea they do not, and one duplicate to merge.
BIKE_SCHOOL = "Safe bike lanes to every school"
LIBRARY_LATE = "Keep the library open until 22 on weekdays"
HARBOUR_LIGHTS = "Lights along the cycle path by the harbour"
BIKE_WIDER = "Wider bike lanes on Nørrebrogade"
LIBRARY_SUNDAY = "Library opening hours on Sundays too"
LIBRARY_LATE_AGAIN = "Keep the library open until 22 on weekdays!"

CYCLING = "Cycling"
LIBRARY = "Library hours"
# Fast enough to feel immediate on a phone; the default wait is for slower steps.
AT_ONCE = 2_000


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def board_headings(page: Page) -> Locator:
    return page.locator("[data-group-board] .cluster > h3")


def cluster_ideas(page: Page, name: str) -> Locator:
    cluster = page.locator("[data-group-board] .cluster").filter(
        has=page.locator("h3", has_text=re.compile(rf"^{re.escape(name)} \(\d+\)$"))
    )
    return cluster.locator(".cluster-ideas .idea-text")


def board_card(page: Page, text: str) -> Locator:
    return page.locator("[data-group-board] .group-idea").filter(
        has=page.locator(".idea-text", has_text=re.compile(rf"^{re.escape(text)}$"))
    )


def assert_no_sideways_scroll(page: Page, when: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the phone scrolls sideways in {when} ({width} px wide)"


def assert_accessible(page: Page, name: str, problems: dict[str, list[str]]) -> None:
    shoot(page, name)
    found = axe_violations(page)
    if found:
        problems[name] = found


def test_a_workshop_runs_from_ideas_through_groups_and_dots_to_results(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext
) -> None:
    watch = Watch()
    confirmed: list[str] = []
    axe: dict[str, list[str]] = {}

    # ---- 1. Ideate: a facilitator opens the room, two citizens post ideas -------------------
    console, code = create_workshop(facilitator, "Streets and the library")

    def confirm_merges_only(dialog: Dialog) -> None:
        if dialog.type == "confirm" and dialog.message.startswith("Merge “"):
            confirmed.append(dialog.message)
            dialog.accept()
        else:
            watch.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

    console.on("dialog", confirm_merges_only)
    console.on("pageerror", lambda error: watch.errors.append(str(error)))
    wait_until_live(console)
    with facilitator.expect_page() as opened:
        console.get_by_role("link", name="Open the projector view").click()
    projector = watch.page(opened.value)
    wait_until_live(projector)
    mark_loaded(projector)
    # The facilitator works on the console; the projector runs on the wall behind.
    console.bring_to_front()
    move_room(console, "Ideate")

    # Every frame the phones receive, to show that hidden tallies never reach them.
    frames: dict[str, list[str]] = {"ada": [], "bo": []}

    def phone(who: str) -> BrowserContext:
        context = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
        context.on(
            "page",
            lambda page: page.on(
                "websocket",
                lambda socket: socket.on(
                    "framereceived", lambda payload: frames[who].append(str(payload))
                ),
            ),
        )
        return context

    ada_phone, bo_phone = phone("ada"), phone("bo")
    ada = join_by_link(ada_phone, code, name="Ada fra Nørrebro")
    bo = join_by_link(bo_phone, code, name="Bo")
    phones = (ada, bo)
    screens = (console, ada, bo, projector)

    for text in (BIKE_SCHOOL, LIBRARY_LATE, HARBOUR_LIGHTS):
        post_idea(ada, text)
        expect(wall(console).filter(has_text=text)).to_have_count(1)
    for text in (BIKE_WIDER, LIBRARY_SUNDAY, LIBRARY_LATE_AGAIN):
        post_idea(bo, text)
        expect(wall(console).filter(has_text=text)).to_have_count(1)
    posted = [
        BIKE_SCHOOL,
        LIBRARY_LATE,
        HARBOUR_LIGHTS,
        BIKE_WIDER,
        LIBRARY_SUNDAY,
        LIBRARY_LATE_AGAIN,
    ]
    # The console lists them as they came; phones and the projector, newest on top.
    expect(wall(console)).to_have_text(posted)
    for screen in (ada, bo, projector):
        expect(wall(screen)).to_have_text(list(reversed(posted)))
    for page in phones:
        assert_no_sideways_scroll(page, "the ideate phase")

    # ---- 2. Group: suggestions, a cluster by hand, keyboard, drag and drop, a merge ---------
    move_room(console, "Group")
    for page in (ada, bo, projector):
        expect(page.locator("[data-phase-label]")).to_have_text("Group")
    # Until there is a cluster, the phones show every idea as unsorted; the projector waits.
    expect(board_headings(ada)).to_have_text(["Unsorted ideas (6)"])
    expect(ada.locator("[data-group-permission-note]")).to_have_text(
        "The facilitator is sorting the ideas into clusters. Watch them take shape here."
    )
    expect(ada.locator("[data-group-board] select")).to_have_count(0)

    console.get_by_role("button", name="Suggest clusters").click()
    suggestions = console.locator("[data-suggestion-list] > li")
    expect(suggestions).to_have_count(2)
    bikes = suggestions.filter(has_text=BIKE_WIDER)
    expect(bikes.locator(".suggestion-ideas li")).to_have_text([BIKE_SCHOOL, BIKE_WIDER])
    expect(bikes.get_by_label("Name")).to_have_value("Bike, lanes, nørrebrogade")
    books = suggestions.filter(has_text=LIBRARY_SUNDAY)
    expect(books.locator(".suggestion-ideas li")).to_have_text(
        [LIBRARY_LATE, LIBRARY_SUNDAY, LIBRARY_LATE_AGAIN]
    )
    # Nothing moves until a suggestion is accepted.
    expect(board_headings(console)).to_have_text(["Unsorted ideas (6)"])
    bikes.get_by_label("Name").fill(CYCLING)
    bikes.get_by_role("button", name="Accept").click()
    expect(suggestions).to_have_count(1)
    for screen in screens:
        expect(cluster_ideas(screen, CYCLING)).to_have_text([BIKE_SCHOOL, BIKE_WIDER])
    # Cy comes late: she joins over the join page's socket while the room groups, and her
    # board then follows every change as the others' do (checked once the grouping is done).
    cy_phone = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
    cy, cy_posted = open_join_page(cy_phone, code)
    cy.get_by_label("Your name in the room").fill("Cy")
    cy.get_by_label("Your name in the room").press("Enter")
    wait_until_live(cy)
    assert cy_posted == []
    expect(cluster_ideas(cy, CYCLING)).to_have_text([BIKE_SCHOOL, BIKE_WIDER])
    books.get_by_role("button", name="Reject Library, keep, open").click()
    expect(console.locator("[data-suggestions]")).to_be_hidden()

    console.get_by_label("New cluster").fill(LIBRARY)
    console.get_by_role("button", name="Add cluster").click()
    expect(console.get_by_label("New cluster")).to_have_value("")
    for screen in screens:
        expect(board_headings(screen).filter(has_text=LIBRARY)).to_have_text([f"{LIBRARY} (0)"])

    # By keyboard: "Move or merge" opens the card's panel on its "Move to…" list; the last
    # option, without opening the list.
    pick = board_card(console, LIBRARY_LATE).get_by_role("button", name="Move or merge")
    expect(pick).to_have_accessible_description(LIBRARY_LATE)
    pick.focus()
    console.keyboard.press("Enter")
    move_to = board_card(console, LIBRARY_LATE).get_by_label("Move to…")
    expect(move_to).to_be_focused()
    expect(move_to.locator("option")).to_have_text(["Unsorted", CYCLING, LIBRARY])
    console.keyboard.press("End")
    for screen in screens:
        expect(cluster_ideas(screen, LIBRARY)).to_have_text([LIBRARY_LATE])
    # The card moved to its cluster; the keyboard stays on the list it used.
    expect(board_card(console, LIBRARY_LATE).get_by_label("Move to…")).to_be_focused()
    expect(board_card(console, LIBRARY_LATE).get_by_label("Move to…")).to_have_value(
        re.compile(r"^\d+$")
    )
    console.keyboard.press("Escape")
    expect(board_card(console, LIBRARY_LATE).get_by_label("Move to…")).to_have_count(0)
    expect(pick).to_be_focused()
    # Only the one card whose panel is open carries lists: the page grows with the ideas.
    expect(console.locator("[data-group-board] select")).to_have_count(0)
    # By mouse: dragged onto the cluster.
    board_card(console, LIBRARY_SUNDAY).drag_to(
        console.locator("[data-group-board] .cluster")
        .filter(has=console.locator("h3", has_text=LIBRARY))
        .locator("h3")
    )
    for screen in screens:
        expect(cluster_ideas(screen, LIBRARY)).to_have_text([LIBRARY_LATE, LIBRARY_SUNDAY])

    # The duplicate is merged into the first: it leaves every board, its words stay.
    # The facilitator finds the idea it repeats by typing a few of its words.
    duplicate = board_card(console, LIBRARY_LATE_AGAIN)
    duplicate.get_by_role("button", name="Move or merge").click()
    duplicate.get_by_label("Merge this duplicate into…").fill("library until")
    matches = duplicate.locator(".merge-results button")
    expect(matches).to_have_text([LIBRARY_LATE])
    matches.first.click()
    for screen in screens:
        expect(board_card(screen, LIBRARY_LATE_AGAIN)).to_have_count(0)
        expect(board_card(screen, LIBRARY_LATE).locator(".merged-ideas")).to_have_text(
            f"“{LIBRARY_LATE_AGAIN}” — Bo"
        )
    assert confirmed == [
        f"Merge “{LIBRARY_LATE_AGAIN}” into “{LIBRARY_LATE}”? Both keep their words."
    ]

    # The facilitator lets the room sort; Bo taps the list on his phone and picks a cluster.
    console.get_by_label("Participants may move ideas between clusters in the group phase").check()
    for page in phones:
        expect(page.locator("[data-group-permission-note]")).to_have_text(
            "You may move ideas between clusters: drag them, or use “Move” on each idea."
        )
    board_card(bo, HARBOUR_LIGHTS).get_by_role("button", name="Move").tap()
    on_phone = board_card(bo, HARBOUR_LIGHTS).get_by_label("Move to…")
    on_phone.select_option(label=CYCLING)
    for screen in (*screens, cy):
        expect(cluster_ideas(screen, CYCLING)).to_have_text(
            [BIKE_SCHOOL, HARBOUR_LIGHTS, BIKE_WIDER]
        )
        expect(cluster_ideas(screen, LIBRARY)).to_have_text([LIBRARY_LATE, LIBRARY_SUNDAY])
    expect(board_card(cy, LIBRARY_LATE_AGAIN)).to_have_count(0)
    expect(cy.locator("[data-group-permission-note]")).to_have_text(
        "You may move ideas between clusters: drag them, or use “Move” on each idea."
    )
    cy_phone.close()
    for screen in (ada, bo):
        expect(board_headings(screen)).to_have_text(
            [f"{CYCLING} (3)", f"{LIBRARY} (2)", "Unsorted ideas (0)"]
        )
    # The console keeps Unsorted in its own column, left of the clusters.
    expect(board_headings(console)).to_have_text(
        ["Unsorted ideas (0)", f"{CYCLING} (3)", f"{LIBRARY} (2)"]
    )
    # The projector shows themes, not an empty drop zone.
    expect(board_headings(projector)).to_have_text([f"{CYCLING} (3)", f"{LIBRARY} (2)"])
    expect(projector.locator("[data-group-board] select")).to_have_count(0)

    for page in phones:
        assert_no_sideways_scroll(page, "the group phase")
    assert_accessible(ada, "phone-group", axe)
    assert_accessible(console, "console-group", axe)
    shoot(projector, "projector-group")
    for screen in screens:
        assert_not_reloaded(screen)

    # ---- 3. Vote: three dots each, at most two on one cluster, tallies hidden ---------------
    open_tool(console, "Vote")
    console.get_by_label("Voting method").select_option(label="Dot voting")
    console.get_by_label("People vote on").select_option(label="Clusters")
    console.get_by_label("Dots per person").fill("3")
    console.get_by_label("Most dots one person may put on one item").fill("2")
    console.get_by_role("button", name="Save voting rules").click()
    expect(console.locator(".messages")).to_have_text("The voting rules are saved.")
    wait_until_live(console)
    mark_loaded(console)
    move_room(console, "Vote")

    def dots(page: Page, cluster: str) -> tuple[Locator, Locator, Locator]:
        item = page.locator("[data-cluster-vote-list] > li").filter(has_text=cluster)
        return (
            item.get_by_role("button", name=f"Take a dot from {cluster}"),
            item.locator(".vote-count"),
            item.get_by_role("button", name=f"Give a dot to {cluster}"),
        )

    for page in phones:
        expect(page.locator("[data-vote-panel]")).to_be_visible()
        expect(page.locator("[data-vote-help]")).to_have_text(
            "Spread your dots over the themes you support, at most 2 on one. "
            "You can move them until voting ends."
        )
        expect(page.locator("[data-cluster-vote-list] .cluster-vote-name")).to_have_text(
            [CYCLING, LIBRARY]
        )
        # Each theme shows what it holds, so a citizen knows what a dot supports.
        cycling_ideas = page.locator("[data-cluster-vote-list] > li").nth(0)
        expect(cycling_ideas.locator(".cluster-vote-ideas li")).to_contain_text([BIKE_SCHOOL])
        expect(page.locator("[data-vote-remaining]")).to_have_text("3 dots left")
        expect(page.locator("[data-vote-results]")).to_be_hidden()

    left = ada.locator("[data-vote-remaining]")
    less, count, more = dots(ada, CYCLING)
    expect(less).to_be_disabled()
    more.click()
    expect(left).to_have_text("2 dots left", timeout=AT_ONCE)
    expect(count).to_have_text("1 dot")
    more.click()
    expect(left).to_have_text("1 dot left", timeout=AT_ONCE)
    expect(count).to_have_text("2 dots")
    # Two is the most one person may put on one cluster.
    expect(more).to_be_disabled()
    _, library_count, library_more = dots(ada, LIBRARY)
    library_more.click()
    expect(left).to_have_text("0 dots left", timeout=AT_ONCE)
    expect(library_count).to_have_text("1 dot")
    # The budget is spent: one more dot on Library hours is refused, though it holds one.
    expect(library_more).to_be_disabled()
    expect(ada.locator("[data-vote-error]")).to_be_hidden()

    left = bo.locator("[data-vote-remaining]")
    cycling_less, cycling_count, cycling_more = dots(bo, CYCLING)
    _, library_count, library_more = dots(bo, LIBRARY)
    library_more.click()
    expect(left).to_have_text("2 dots left", timeout=AT_ONCE)
    library_more.click()
    expect(left).to_have_text("1 dot left", timeout=AT_ONCE)
    expect(library_more).to_be_disabled()
    cycling_more.click()
    expect(left).to_have_text("0 dots left", timeout=AT_ONCE)
    expect(cycling_more).to_be_disabled()
    # He changes his mind and takes the dot back.
    cycling_less.click()
    expect(left).to_have_text("1 dot left", timeout=AT_ONCE)
    expect(cycling_count).to_have_text("0 dots")
    expect(library_count).to_have_text("2 dots")
    expect(cycling_more).to_be_enabled()

    # The console follows the vote; the room does not, until the facilitator reveals it.
    tallies = console.locator("[data-voting-console] [data-tally-list]")
    expect(tallies.locator(".tally-label")).to_have_text([LIBRARY, CYCLING])
    expect(tallies.locator(".tally-total")).to_have_text(["3 dots", "2 dots"])
    expect(console.locator("[data-tallies-state]")).to_have_text(
        "Only facilitators see the tallies until you reveal them."
    )
    for page in (ada, bo, projector):
        expect(page.locator("[data-vote-results]")).to_be_hidden()
        expect(page.locator(".tally")).to_have_count(0)
    for who, received in frames.items():
        # The phone did hear the room's voting events, just not the tallies.
        assert any('"voting.configured"' in frame for frame in received), who
        assert not [frame for frame in received if '"votes.tallied"' in frame], who

    for page in phones:
        assert_no_sideways_scroll(page, "the vote phase")
    assert_accessible(bo, "phone-vote", axe)
    assert_accessible(console, "console-vote", axe)
    for screen in screens:
        assert_not_reloaded(screen)

    # ---- 4. Reveal, then Results on every screen ---------------------------------------------
    console.get_by_role("button", name="Reveal the tallies to the room").click()
    expect(console.locator(".messages")).to_have_text(
        "The tallies are now shown to the whole room."
    )
    expect(console.locator("[data-tallies-state]")).to_have_text("The room sees the tallies.")
    expect(console.get_by_role("button", name="Reveal the tallies to the room")).to_be_hidden()
    wait_until_live(console)
    mark_loaded(console)
    for page in phones:
        expect(page.locator("[data-vote-results] .tally-label")).to_have_text([LIBRARY, CYCLING])
    move_room(console, "Results")

    for screen in (ada, bo, projector, console):
        results = screen.locator("[data-tally-list]")
        expect(results.locator(".tally-position")).to_have_text(["1.", "2."])
        expect(results.locator(".tally-label")).to_have_text([LIBRARY, CYCLING])
        expect(results.locator(".tally-total")).to_have_text(["3 dots", "2 dots"])
        expect(results.locator(".tally-supporters")).to_have_text(["2 supporters", "1 supporter"])
    for page in (ada, bo, projector):
        expect(page.locator("[data-phase-label]")).to_have_text("Results")
        expect(page.locator("[data-vote-results]")).to_be_visible()
    for page in phones:
        expect(page.locator("[data-vote-panel]")).to_be_hidden()
        assert_no_sideways_scroll(page, "the results phase")
    assert_accessible(ada, "phone-results", axe)
    shoot(projector, "projector-results")
    for page in (ada, bo, projector):
        assert_not_reloaded(page)

    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in axe.items())
    assert not axe, f"axe-core violations:\n{report}"
    assert watch.dialogs == [], watch.dialogs
    assert watch.errors == [], watch.errors
    for context in (ada_phone, bo_phone):
        context.close()
    projector.close()
    console.close()
