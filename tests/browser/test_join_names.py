"""A name is shown and announced as typed, whatever characters it holds."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_join import new_workshop, open_join_page, phone
from tests.browser.test_live_room import wait_until_live

__all__ = ["phone"]  # the fixture, shared with the join tests

pytestmark = pytest.mark.browser


def test_a_name_with_dollar_signs_is_announced_as_typed(
    phone: BrowserContext, live_daphne: LiveServer
) -> None:
    code = new_workshop(live_daphne, "Names as typed")
    page, posted = open_join_page(phone, code)
    field = page.get_by_label("Your name in the room")
    field.fill("Bo $' $& Å")
    field.press("Enter")
    wait_until_live(page)
    assert posted == []
    expect(page.locator("[data-your-name]")).to_have_text("Bo $' $& Å")
    expect(page.locator("[data-join-status]")).to_have_text("You are in the room as Bo $' $& Å.")
