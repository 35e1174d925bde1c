"""The self-check after a closed workshop, in a real Chromium at phone width, by keyboard.

The facilitator finds it on the console, answers with the keyboard alone, reads the
feedback, finds the answers in the summary's method section and the totals over
workshops. Every page is scanned with axe-core.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.checks import assert_fits_and_passes_axe
from tests.browser.conftest import LiveServer, signed_up
from tests.browser.test_live_room import PHONE

pytestmark = pytest.mark.browser

SEED = """
from django.contrib.auth import get_user_model
from tests.factories import WorkshopFactory
from workshops.phases import Phase
user = get_user_model().objects.get(email={email!r})
print(WorkshopFactory(owner=user, title="Harbour bath", phase=Phase.CLOSED).join_code)
"""


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[tuple[BrowserContext, str]]:
    context, email = signed_up(browser, server_url, "selfcheck", **PHONE)
    yield context, email
    context.close()


def test_a_facilitator_answers_the_self_check_by_keyboard(
    live_daphne: LiveServer, facilitator: tuple[BrowserContext, str]
) -> None:
    context, email = facilitator
    code = live_daphne.manage("shell", "-c", SEED.format(email=email)).strip().splitlines()[-1]
    page = context.new_page()
    page.goto(f"/facilitate/{code}/")
    page.get_by_role("link", name="Open the self-check").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Self-check: Harbour bath", level=1)).to_be_visible()
    assert_fits_and_passes_axe(page, "selfcheck-form")

    # Arrow keys move the choice within a question; Tab goes to the next question.
    page.get_by_label("Yes: the decision was still open").focus()
    page.keyboard.press("ArrowDown")  # Partly
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Yes, the groups affected took part
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Some were accepted without a close look
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Yes, statuses will be kept up to date
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Get feedback

    expect(page.locator(".messages")).to_contain_text("Your answers are kept.")
    feedback = page.locator(".selfcheck-feedback")
    expect(feedback).to_contain_text("Tell participants plainly what was already decided")
    expect(feedback).to_contain_text("Keep a note of who came")
    expect(feedback).to_contain_text("Go through the accepted suggestions again")
    expect(feedback).to_contain_text("Give each value proposition a status soon")
    expect(page.get_by_label("Partly: the frame was set, the details were open")).to_be_checked()
    assert_fits_and_passes_axe(page, "selfcheck-feedback")

    page.goto(f"/facilitate/{code}/summary/")
    method = page.locator(
        "section", has=page.get_by_role("heading", name="How the workshop was run")
    )
    expect(method).to_contain_text("Asked early enough")
    expect(method).to_contain_text("Some were accepted without a close look")

    page.goto("/self-check/")
    expect(page.get_by_text("1 workshop has a self-check.")).to_be_visible()
    table = page.get_by_role(
        "table", name="Will participants hear back what became of their ideas?"
    )
    expect(table.get_by_role("row", name="Yes, statuses will be kept up to date 1")).to_be_visible()
    assert_fits_and_passes_axe(page, "selfcheck-totals")
    page.close()
