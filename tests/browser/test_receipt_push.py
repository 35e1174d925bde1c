"""*Notify this phone* on the receipt page, in Chromium at a phone's width.

A real push subscription needs the browser vendor's push service, which headless
Chromium cannot reach here: the subscription's way through the server, to a real push
endpoint and back decrypted, is tested in tests/statuses/test_push.py. This test checks
the page's part: the button is there where the browser has push, reached and pressed by
keyboard, labelled, with no axe violation; pressing it registers the service worker
served by the site for the receipt pages, and a refusal is said plainly. A push handed
to that service worker through Chromium's DevTools protocol shows the notification,
which keeps the receipt page as where a tap leads, and never another site.
"""

from __future__ import annotations

import json
from typing import Any

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


def test_the_service_worker_shows_a_pushed_notice_and_keeps_it_to_the_site(
    browser: Browser, live_daphne: LiveServer
) -> None:
    """A push delivered to the service worker through Chromium's DevTools protocol,
    in place of the vendor's push service, as the server's worker would send it."""
    context = browser.new_context(**PHONE)
    context.grant_permissions(["notifications"], origin=live_daphne.url)
    page = context.new_page()
    try:
        receipt = receipt_of(live_daphne)
        page.goto(receipt)
        devtools = context.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        devtools.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        devtools.send("ServiceWorker.enable")
        page.evaluate(
            """async () => {
              await navigator.serviceWorker.register("/push-worker.js", {scope: "/r/"});
              await navigator.serviceWorker.ready;
            }"""
        )
        for _ in range(100):
            live = [
                r for r in registrations if r["scopeURL"].endswith("/r/") and not r["isDeleted"]
            ]
            if live:
                break
            page.wait_for_timeout(100)
        assert live, f"no service worker registration for /r/ among {registrations}"
        path = receipt.removeprefix(live_daphne.url)
        for url in [path, "https://elsewhere.example/r/x/"]:
            devtools.send(
                "ServiceWorker.deliverPushMessage",
                {
                    "origin": live_daphne.url + "/",
                    "registrationId": live[-1]["registrationId"],
                    "data": json.dumps(
                        {"title": "News about what you said", "body": url, "url": url, "lang": "en"}
                    ),
                },
            )
        shown = SHOWN
        page.wait_for_function(f"{shown}.then((n) => n.length === 2)", timeout=WAIT)
        notices = page.evaluate(shown)
        by_body = {n["body"]: n for n in notices}
        assert by_body[path]["title"] == "News about what you said"
        assert by_body[path]["url"] == receipt
        # A notice naming another site opens the receipt pages instead.
        assert by_body["https://elsewhere.example/r/x/"]["url"] == f"{live_daphne.url}/r/"
    finally:
        context.close()


SHOWN = """navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((shown) => shown.map((n) => ({title: n.title, body: n.body, url: n.data.url})))"""
