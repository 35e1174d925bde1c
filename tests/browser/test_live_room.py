"""The live room in a real Chromium: a facilitator on a laptop, two citizens on phones.

Every screen is a separate browser context (its own cookies, as separate devices
would have), and nothing is reloaded while ideas travel between them: each page
carries a marker set after it loaded, which a reload would wipe.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Locator,
    Page,
    WebSocketRoute,
    expect,
)

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer, sign_up

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED_HOSTILE = "&lt;img src=x onerror=alert(2)&gt;"
# Set to a folder to keep a full-page screenshot of every page the tests look at.
SCREENSHOTS = os.environ.get("SAMSKAB_SCREENSHOTS")

expect.set_options(timeout=7_000)


@dataclass
class Watch:
    """What went wrong on the pages of a test: dialogs opened and uncaught script errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def page(self, page: Page) -> Page:
        def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def context(self, context: BrowserContext) -> BrowserContext:
        context.on("page", self.page)
        return context


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def mark_loaded(page: Page) -> None:
    page.evaluate("window.__samskabNotReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__samskabNotReloaded === true"), f"{page.url} was reloaded"


def wait_until_live(page: Page) -> None:
    expect(page.locator("[data-connection]")).to_have_text("Live")


def sign_up_facilitator(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, **LAPTOP)
    page = context.new_page()
    sign_up(page, f"facilitator-{uuid.uuid4().hex[:10]}@example.org")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.close()
    return context


def create_workshop(context: BrowserContext, title: str) -> tuple[Page, str]:
    """Create a workshop from the dashboard; returns its console and the code read off it."""
    page = context.new_page()
    page.goto("/facilitate/")
    page.get_by_role("link", name="Create a workshop").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Policy question").fill("How can the library serve teenagers after school?")
    page.get_by_label("Short context").fill(
        "The main library has an empty floor from March.\nThe budget covers furniture."
    )
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    code = page.locator("[data-join-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    return page, code


def open_phase_form(console: Page) -> None:
    """Open the console's "Jump to another phase" disclosure, where any phase can be picked."""
    jump = console.locator("[data-other-phase]")
    if not jump.evaluate("node => node.open"):
        jump.get_by_text("Jump to another phase").click()


def open_tool(console: Page, name: str) -> None:
    """Open one of the console's tools by its tab."""
    console.locator("[data-tool-tabs]").get_by_role(
        "link", name=re.compile(rf"^{re.escape(name)}( \(\d+\))?$")
    ).click()
    expect(console.locator("[data-tool-link][aria-current=page]")).to_contain_text(name)


def move_room(console: Page, phase: str) -> None:
    open_phase_form(console)
    console.get_by_label("Phase", exact=True).select_option(label=phase)
    console.get_by_role("button", name="Move the room").click()
    expect(console.get_by_role("status").filter(has_text=f"in the {phase} phase")).to_be_visible()
    expect(console.locator("[data-phase-label]")).to_have_text(phase)
    wait_until_live(console)
    mark_loaded(console)


def join_by_link(context: BrowserContext, code: str, name: str | None = None) -> Page:
    page = context.new_page()
    page.goto(f"/j/{code}")
    if name is not None:
        page.get_by_label("Your name in the room").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"))
    wait_until_live(page)
    mark_loaded(page)
    return page


def post_idea(page: Page, text: str) -> None:
    idea_box(page).fill(text)
    page.get_by_role("button", name="Post idea").click()
    expect(idea_box(page)).to_have_value("")


def idea_box(page: Page) -> Locator:
    return page.locator("[data-idea-form]").get_by_label("Your idea")


def wall(page: Page) -> Locator:
    return page.locator("[data-idea-list] .idea-text")


def store_unsanitised_idea(live_daphne: LiveServer, code: str, author: str, text: str) -> None:
    """Put text on the wall the way no service would: as if it had slipped past the sanitiser.

    The pages must still show it as text; this checks them without trusting the cleaning.
    """
    script = (
        "from ideas.models import Idea\n"
        "from workshops.models import Participant\n"
        f"author = Participant.objects.get(workshop__join_code={code!r}, display_name={author!r})\n"
        f"Idea.objects.create(workshop=author.workshop, author=author, text={text!r},"
        " client_key='stored-by-the-browser-test')\n"
    )
    live_daphne.manage("shell", "-c", script)


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    """A facilitator's laptop, signed up through the sign-up page."""
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def test_two_citizens_and_a_facilitator_share_one_live_room(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext
) -> None:
    server_url = live_daphne.url
    watch = Watch()
    watch.context(facilitator)
    console, code = create_workshop(facilitator, "Library for teenagers")
    wait_until_live(console)
    with facilitator.expect_page() as opened:
        console.get_by_role("link", name="Open the projector view").click()
    projector = opened.value
    expect(projector.locator(".projector-join .join-code [aria-hidden=true]")).to_have_text(code)
    wait_until_live(projector)
    mark_loaded(projector)
    mark_loaded(console)

    # Citizen 1 types the code on the home page (as a phone keyboard gives it) in the lobby.
    phone_1 = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen_1 = phone_1.new_page()
    citizen_1.goto("/")
    citizen_1.get_by_label("Workshop code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    citizen_1.get_by_role("button", name="Join", exact=True).click()
    expect(citizen_1).to_have_url(re.compile(rf"/j/{code}$"))
    suggested = citizen_1.get_by_label("Your name in the room").input_value()
    assert suggested.strip(), "a friendly name is suggested"
    citizen_1.get_by_role("button", name="Join the workshop").click()
    expect(citizen_1).to_have_url(re.compile(rf"/w/{code}/$"))
    wait_until_live(citizen_1)
    mark_loaded(citizen_1)
    expect(citizen_1.get_by_text("will open the room for ideas soon")).to_be_visible()
    expect(idea_box(citizen_1)).to_be_hidden()
    for screen in (console, projector):
        expect(screen.locator("[data-participant-count]")).to_have_text("1")

    move_room(console, "Ideate")
    expect(citizen_1.locator("[data-phase-label]")).to_have_text("Ideate")
    expect(idea_box(citizen_1)).to_be_visible()
    expect(projector.locator("[data-phase-label]")).to_have_text("Ideate")

    # Citizen 2 follows the link and picks a name.
    phone_2 = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen_2 = join_by_link(phone_2, code, name="Ada fra Nørrebro")
    for screen in (console, projector):
        expect(screen.locator("[data-participant-count]")).to_have_text("2")

    first = "Open the roof terrace for homework cafés"
    post_idea(citizen_1, first)
    expect(wall(citizen_1).filter(has_text=first)).to_be_visible()
    expect(wall(citizen_2).filter(has_text=first)).to_be_visible()
    expect(citizen_2.locator("[data-idea-list] .idea", has_text=first)).to_contain_text(suggested)

    reply = "Let teenagers run the music room on Fridays"
    post_idea(citizen_2, reply)
    expect(wall(citizen_1).filter(has_text=reply)).to_be_visible()
    expect(citizen_1.locator("[data-idea-list] .idea", has_text=reply)).to_contain_text(
        "Ada fra Nørrebro"
    )
    # Her own idea is marked as hers on her phone only.
    expect(citizen_2.locator(".idea-mine")).to_have_count(1)
    expect(citizen_1.locator(".idea-mine")).to_have_count(1)

    # The console lists ideas as they came; the projector puts the newest on top.
    expect(wall(console)).to_have_text([first, reply])
    expect(wall(projector)).to_have_text([reply, first])
    for screen in (console, projector):
        expect(screen.locator(".wall [data-idea-count]")).to_have_text("(2)")
        expect(screen.locator("[data-participant-count]")).to_have_text("2")

    # Markup typed as markup is removed by the sanitiser, and the citizen keeps her words.
    post_idea(citizen_2, HOSTILE)
    expect(citizen_2.locator("[data-outbox] .field-error")).to_have_text(
        "Write your idea before you post it."
    )
    # Markup typed as entities is kept as the characters typed, and travels as text.
    post_idea(citizen_2, ESCAPED_HOSTILE)
    for screen in (citizen_1, citizen_2, console, projector):
        expect(wall(screen).filter(has_text="onerror=alert(2)")).to_have_count(1)
    # Markup that reached the database anyway shows as literal text on every page.
    store_unsanitised_idea(live_daphne, code, "Ada fra Nørrebro", HOSTILE)
    for context, path in ((phone_1, f"/w/{code}/"), (facilitator, f"/facilitate/{code}/")):
        fresh = context.new_page()
        fresh.goto(path)
        wait_until_live(fresh)
        expect(wall(fresh).filter(has_text="onerror=alert(1)")).to_have_text(HOSTILE)
        expect(wall(fresh)).to_have_count(4)
        expect(fresh.locator("[data-idea-list] img")).to_have_count(0)
        fresh.close()
    for screen in (citizen_1, citizen_2, console, projector):
        expect(screen.locator("[data-idea-list] img")).to_have_count(0)

    for screen in (citizen_1, citizen_2, console, projector):
        assert_not_reloaded(screen)
    shoot(citizen_1, "citizen-ideate")
    shoot(console, "console-ideate")
    shoot(projector, "projector-ideate")

    move_room(console, "Closed")
    for phone in (citizen_1, citizen_2):
        expect(phone.locator("[data-phase-label]")).to_have_text("Closed")
        expect(phone.get_by_text("This workshop has closed.")).to_be_visible()
        expect(idea_box(phone)).to_be_hidden()
        expect(wall(phone).filter(has_text=first)).to_be_visible()
        expect(phone.get_by_text("Your name:")).to_be_hidden()
        assert_not_reloaded(phone)
    expect(projector.locator("[data-phase-label]")).to_have_text("Closed")
    assert_not_reloaded(projector)
    shoot(citizen_1, "citizen-closed")

    assert watch.dialogs == [], watch.dialogs
    assert watch.errors == [], watch.errors
    phone_1.close()
    phone_2.close()
    projector.close()
    console.close()


@dataclass
class Room:
    code: str
    console: Page
    citizen: Page
    watch: Watch


@pytest.fixture(scope="module")
def ideating_room(browser: Browser, server_url: str, facilitator: BrowserContext) -> Iterator[Room]:
    """A room in the ideate phase with a timer running, one citizen on a phone and one idea."""
    watch = Watch()
    console, code = create_workshop(facilitator, "Streets around the school")
    watch.page(console)
    open_phase_form(console)
    console.get_by_label("Phase", exact=True).select_option(label="Ideate")
    console.get_by_label("Timer", exact=True).select_option(label="10 minutes")
    console.get_by_role("button", name="Move the room").click()
    expect(console.locator("[data-timer]")).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
    phone = watch.context(browser.new_context(base_url=server_url, **PHONE))
    citizen = join_by_link(phone, code)
    # A long unbroken word must wrap, not push the phone's page sideways.
    post_idea(citizen, "Close the street to cars at 8 o'clock " + "x" * 60)
    expect(wall(citizen)).to_have_count(1)
    yield Room(code=code, console=console, citizen=citizen, watch=watch)
    phone.close()
    console.close()


def test_citizen_posts_with_the_keyboard_alone_at_phone_width(ideating_room: Room) -> None:
    console, citizen = ideating_room.console, ideating_room.citizen
    citizen.goto(citizen.url)
    wait_until_live(citizen)

    citizen.keyboard.press("Tab")
    expect(citizen.get_by_role("link", name="Skip to content")).to_be_focused()
    citizen.keyboard.press("Enter")
    box = idea_box(citizen)
    for _ in range(10):
        citizen.keyboard.press("Tab")
        if box.evaluate("node => node === document.activeElement"):
            break
    expect(box).to_be_focused()
    idea = "Crossing guards from the youth club"
    citizen.keyboard.type(idea)
    citizen.keyboard.press("Tab")
    expect(citizen.locator("[data-idea-counter]")).to_contain_text(f"{len(idea)} of 500")
    expect(citizen.get_by_role("button", name="Post idea")).to_be_focused()
    citizen.keyboard.press("Enter")
    expect(wall(citizen).filter(has_text=idea)).to_be_visible()
    expect(wall(console).filter(has_text=idea)).to_be_visible()
    # Each of her ideas has its own buttons, told apart by the idea they act on.
    expect(
        citizen.locator("[data-idea-list] .idea", has_text=idea).get_by_role(
            "button", name="Edit your idea"
        )
    ).to_have_accessible_description(idea)

    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the citizen page scrolls sideways at 360 px ({width} px wide)"
    shoot(citizen, "citizen-keyboard")
    assert ideating_room.watch.errors == [], ideating_room.watch.errors


def test_pages_have_no_accessibility_violations(
    browser: Browser,
    server_url: str,
    facilitator: BrowserContext,
    ideating_room: Room,
) -> None:
    console, citizen, code = ideating_room.console, ideating_room.citizen, ideating_room.code
    stranger = browser.new_context(base_url=server_url, **PHONE)
    problems: dict[str, list[str]] = {}

    def check(name: str, page: Page) -> None:
        shoot(page, name)
        found = axe_violations(page)
        if found:
            problems[name] = found

    page = stranger.new_page()
    page.goto("/")
    check("home", page)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_label("Workshop code")).to_have_accessible_description(
        "This field is required."
    )
    check("home-error", page)
    page.goto(f"/j/{code}")
    expect(page.get_by_label("Your name in the room")).to_have_accessible_description(
        re.compile("Shown next to your ideas")
    )
    check("join", page)
    page.goto("/accounts/login/")
    check("sign-in", page)
    page.goto("/accounts/signup/")
    check("sign-up", page)

    wait_until_live(citizen)
    check("citizen-room", citizen)
    wait_until_live(console)
    check("console", console)
    projector = facilitator.new_page()
    projector.goto(f"/facilitate/{code}/projector/")
    wait_until_live(projector)
    check("projector", projector)
    create = facilitator.new_page()
    create.goto("/facilitate/new/")
    expect(create.get_by_label("Policy question")).to_have_accessible_description(
        re.compile("The question the room answers")
    )
    check("create-workshop", create)

    stranger.close()
    projector.close()
    create.close()
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
    assert not problems, f"axe-core violations:\n{report}"


def test_a_late_snapshot_keeps_the_phase_the_facilitator_picked(
    facilitator: BrowserContext, ideating_room: Room
) -> None:
    """The snapshot that opens (or reopens) the socket must not undo a pick not yet submitted."""
    sockets: list[WebSocketRoute] = []
    held: list[str | bytes] = []

    def hold_what_the_server_sends(socket: WebSocketRoute) -> None:
        sockets.append(socket)
        socket.connect_to_server().on_message(lambda message: held.append(message))

    page = facilitator.new_page()
    page.route_web_socket(re.compile(r"/ws/workshops/"), hold_what_the_server_sends)
    page.goto(f"/facilitate/{ideating_room.code}/")
    open_phase_form(page)
    phase = page.get_by_label("Phase", exact=True)
    expect(phase).to_have_value("ideate")
    phase.select_option(label="Closed")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    snapshot = json.loads(held[0])
    assert snapshot["type"] == "snapshot", snapshot
    # A count no one has yet shows when the page has taken the snapshot in.
    snapshot["data"]["participant_count"] = 99
    sockets[0].send(json.dumps(snapshot))
    expect(page.locator("[data-participant-count]")).to_have_text("99")
    expect(phase).to_have_value("closed")
    page.close()


def test_events_sent_together_in_a_batch_all_reach_the_wall(
    facilitator: BrowserContext, ideating_room: Room
) -> None:
    """A busy room sends the events of one moment as one batch frame; each one shows."""
    sockets: list[WebSocketRoute] = []
    held: list[str] = []

    def batch_new_ideas(socket: WebSocketRoute) -> None:
        sockets.append(socket)
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str) and '"idea.posted"' in message:
                held.append(message)
            else:
                socket.send(message)

        server.on_message(from_server)

    page = facilitator.new_page()
    page.route_web_socket(re.compile(r"/ws/workshops/"), batch_new_ideas)
    page.goto(f"/facilitate/{ideating_room.code}/")
    wait_until_live(page)
    before = wall(page).count()
    texts = ["A bench by the bus stop", "Lights on the footpath"]
    for text in texts:
        post_idea(ideating_room.citizen, text)
    for _ in range(100):
        if len(held) == len(texts):
            break
        page.wait_for_timeout(50)
    assert len(held) == len(texts), held
    events = [json.loads(message) for message in held]
    sockets[0].send(json.dumps({"type": "batch", "count": len(events), "events": events}))

    expect(wall(page)).to_have_count(before + len(texts))
    for text in texts:
        expect(wall(page).filter(has_text=text)).to_be_visible()
    page.close()
