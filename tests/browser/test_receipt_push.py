"""*Notify this phone* on the receipt page, in Chromium at a phone's width.

A real push subscription needs the browser vendor's push service, which headless
Chromium cannot reach here: the subscription's way through the server, to a real push
endpoint and back decrypted, is tested in tests/statuses/test_push.py. This test checks
the page's part: the button is there where the browser has push, reached and pressed by
keyboard, labelled, with no axe violation; pressing it registers the service worker
served by the site for the receipt pages, and a refusal is said plainly.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.checks import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import PHONE, shoot

pytestmark = pytest.mark.browser

WAIT = 30_000

SEED = """
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from statuses.services import receipt_for_participant
from workshops.phases import Phase
workshop = WorkshopFactory(phase=Phase.CLOSED, language="{language}")
author = ParticipantFactory(workshop=workshop, display_name="Ada")
IdeaFactory(workshop=workshop, author=author, text="Benches along the harbour walk")
print(receipt_for_participant(participant=author).token)
"""


def receipt_of(server: LiveServer, language: str = "en") -> str:
    token = server.manage("shell", "-c", SEED.format(language=language)).strip().splitlines()[-1]
    return f"{server.url}/r/{token}/"


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the named button has the focus (a bounded number of times)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
            == name
        ):
            return
    raise AssertionError(f"Tab never reached the button {name!r}")


def test_the_button_is_reached_by_keyboard_labelled_and_registers_the_worker(
    browser: Browser, live_daphne: LiveServer
) -> None:
    context = browser.new_context(**PHONE)
    context.grant_permissions(["notifications"], origin=live_daphne.url)
    page = context.new_page()
    try:
        page.goto(receipt_of(live_daphne))
        section = page.get_by_role("region", name="Hear about it on this phone")
        expect(section).to_be_visible(timeout=WAIT)
        button = section.get_by_role("button", name="Notify this phone")
        expect(button).to_be_visible()
        expect(section.get_by_text("This phone is not notified of changes.")).to_be_visible()
        shoot(page, "receipt-push-360")
        problems = page_problems(page)
        assert not problems, "\n".join(problems)

        page.evaluate("window.scrollTo(0, 0); document.activeElement.blur()")
        tab_to(page, "Notify this phone")
        page.keyboard.press("Enter")
        # The site serves the service worker, and its scope covers the receipt pages.
        scope = page.evaluate(
            """async () => {
              const registration = await navigator.serviceWorker.ready;
              return registration.scope;
            }"""
        )
        assert scope == f"{live_daphne.url}/r/"
        # No vendor push service here: the subscription fails, and the page says so,
        # keeping the button to try again.
        expect(
            section.get_by_text("This browser could not set up notifications. Try again later.")
        ).to_be_visible(timeout=WAIT)
        expect(button).to_be_visible()
        expect(button).to_be_focused()
        problems = page_problems(page)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_notifications_refused_by_the_browser_are_said_plainly(
    browser: Browser, live_daphne: LiveServer
) -> None:
    context = browser.new_context(**PHONE, locale="da-DK")
    page = context.new_page()
    try:
        page.goto(receipt_of(live_daphne, language="da"))
        section = page.get_by_role("region", name="Få besked på denne telefon")
        button = section.get_by_role("button", name="Giv besked på denne telefon")
        expect(button).to_be_visible(timeout=WAIT)
        button.focus()
        page.keyboard.press("Enter")
        state = section.locator("[data-push-state]")
        expect(state).to_have_text(
            "Beskeder fra dette websted er blokeret i browserens indstillinger.", timeout=WAIT
        )
        # The button is gone; the keyboard's focus is on the words that replaced it.
        expect(button).to_be_hidden()
        expect(state).to_be_focused()
        problems = page_problems(page)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
