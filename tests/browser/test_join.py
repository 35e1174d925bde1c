"""Joining from a phone: one page and the socket, and the form where there is no script.

The join page is the room's page with the name form first. Its socket opens while the
person reads; "Join" sends the name over it and the page becomes the room, with no
second page load. Without script the form posts and the answer is the room.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    assert_not_reloaded,
    idea_box,
    mark_loaded,
    post_idea,
    wait_until_live,
    wall,
)

pytestmark = pytest.mark.browser


def new_workshop(live_daphne: LiveServer, title: str, phase: str = "ideate") -> str:
    """A workshop made straight in the server's database; its join code."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from workshops.models import Workshop\n"
        "owner, _ = get_user_model().objects.get_or_create(\n"
        "    username='join-tests', defaults={'email': 'join-tests@example.org'})\n"
        f"workshop = Workshop.objects.create(owner=owner, title={title!r},\n"
        "    question='Where should the new paths go?', phase=" + repr(phase) + ")\n"
        "print(workshop.join_code)\n"
    )
    return live_daphne.manage("shell", "-c", script).strip().splitlines()[-1]


def participants(live_daphne: LiveServer, code: str) -> list[str]:
    script = (
        "from workshops.models import Participant\n"
        f"print(sorted(Participant.objects.filter(workshop__join_code={code!r})"
        ".values_list('display_name', flat=True)))\n"
    )
    return eval(live_daphne.manage("shell", "-c", script).strip().splitlines()[-1])  # noqa: S307


@pytest.fixture
def phone(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=server_url, **PHONE)
    yield context
    context.close()


def open_join_page(context: BrowserContext, code: str) -> tuple[Page, list[str]]:
    """The join page, once its socket is open; and every form the page posts from now on."""
    page = context.new_page()
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    page.goto(f"/j/{code}")
    expect(page.locator("[data-join-form][data-socket-open]")).to_have_count(1)
    mark_loaded(page)
    return page, posted


def test_a_phone_joins_over_the_socket_and_a_reload_finds_it_in_the_room(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    watch = Watch()
    code = new_workshop(live_daphne, "Paths through the park")
    live_daphne.manage(
        "shell",
        "-c",
        "from ideas.models import Idea\n"
        "from workshops.models import Participant, Workshop\n"
        f"workshop = Workshop.objects.get(join_code={code!r})\n"
        "early = Participant.objects.create(workshop=workshop, display_name='Early Bird')\n"
        "Idea.objects.create(workshop=workshop, author=early, text='A bridge over the creek',"
        " client_key='posted-before-the-join')\n",
    )
    page, posted = open_join_page(watch.context(phone), code)
    watch.page(page)
    assert page_problems(page) == []

    # By keyboard: the name, then Enter.
    name = page.get_by_label("Your name in the room")
    name.fill("Ada fra Nørrebro")
    name.press("Enter")

    # The room, on the same page: no form posted, nothing loaded again.
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"))
    wait_until_live(page)
    assert_not_reloaded(page)
    assert posted == []
    expect(page.locator("[data-join-form]")).to_have_count(0)
    expect(page.locator("[data-your-name]")).to_have_text("Ada fra Nørrebro")
    # Focus where the room begins, and a screen reader told what happened.
    expect(page.get_by_role("heading", name="Paths through the park", level=1)).to_be_focused()
    expect(page.locator("[data-join-status]")).to_have_text(
        "You are in the room as Ada fra Nørrebro."
    )
    # The wall as the join's snapshot has it.
    expect(wall(page).filter(has_text="A bridge over the creek")).to_have_count(1)
    assert participants(live_daphne, code) == ["Ada fra Nørrebro", "Early Bird"]

    # The room works on the socket the name went on.
    post_idea(page, "Benches by the pond")
    expect(wall(page).filter(has_text="Benches by the pond")).to_have_count(1)
    assert posted == []
    assert page_problems(page) == []

    # A reload finds the room, as the same participant, with their idea marked.
    page.reload()
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"))
    wait_until_live(page)
    expect(page.locator("[data-your-name]")).to_have_text("Ada fra Nørrebro")
    expect(page.locator(".idea-mine").filter(has_text="Benches by the pond")).to_have_count(1)
    # Opening the join link again is the room too, and makes nobody new.
    page.goto(f"/j/{code}")
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"))
    assert participants(live_daphne, code) == ["Ada fra Nørrebro", "Early Bird"]
    assert watch.errors == [], watch.errors
    assert watch.dialogs == [], watch.dialogs


def test_a_refused_join_says_why_on_the_join_page(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Lights on the riverside")
    page, posted = open_join_page(phone, code)
    # The facilitator closes the room while the phone reads the page.
    live_daphne.manage(
        "shell",
        "-c",
        "from workshops.models import Workshop\n"
        f"workshop = Workshop.objects.get(join_code={code!r})\n"
        "workshop.phase = 'closed'\n"
        "workshop.save()\n",
    )

    page.get_by_role("button", name="Join the workshop").click()

    expect(page.get_by_role("alert")).to_have_text(
        "This workshop has closed and takes no new participants."
    )
    expect(page.get_by_label("Your name in the room")).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/j/{code}$"))
    assert_not_reloaded(page)
    assert posted == []
    assert participants(live_daphne, code) == []
    assert page_problems(page) == []


def test_without_script_the_form_joins_and_answers_with_the_room(
    browser: Browser, server_url: str, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Dog bins in the park")
    context = browser.new_context(base_url=server_url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"/j/{code}")
    # Only the form shows: the room waits in the page for a script that never runs.
    expect(idea_box(page)).to_have_count(0)

    page.get_by_label("Your name in the room").fill("Bo uden script")
    page.get_by_role("button", name="Join the workshop").click()

    # The answer to the form is the room itself (its address shows once a script can set it).
    expect(idea_box(page)).to_be_visible()
    expect(page.locator("[data-your-name]")).to_have_text("Bo uden script")
    page.goto(f"/w/{code}/")
    expect(page.locator("[data-your-name]")).to_have_text("Bo uden script")
    assert participants(live_daphne, code) == ["Bo uden script"]
    context.close()


def test_join_tapped_on_a_slow_network_waits_for_the_socket_instead_of_a_second_page(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    # A crowded town hall's Wi-Fi: every round trip takes most of a second. The person
    # taps "Join" as soon as it shows, while the page's socket is still opening.
    code = new_workshop(live_daphne, "Seats along the harbour")
    page = phone.new_page()
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    network = phone.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 800, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.goto(f"/j/{code}", wait_until="commit")
    button = page.get_by_role("button", name="Join the workshop")
    button.wait_for(state="visible")
    opening = page.evaluate("!document.querySelector('[data-join-form][data-socket-open]')")
    mark_loaded(page)
    page.get_by_label("Your name in the room").fill("Sif på havnen")
    button.click()

    # The name went over the socket once it opened: no form posted, no second page.
    expect(page).to_have_url(re.compile(rf"/w/{code}/$"), timeout=30_000)
    wait_until_live(page)
    assert opening, "the socket was open before the tap; the test proves nothing"
    assert_not_reloaded(page)
    assert posted == []
    expect(page.locator("[data-your-name]")).to_have_text("Sif på havnen")
    assert participants(live_daphne, code) == ["Sif på havnen"]
