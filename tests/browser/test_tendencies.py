"""The tendencies page in a real Chromium at phone width, by keyboard; it carries no script.

A facilitator filters the themes by source with the keyboard, reads the charts and
the table, curates a theme (renames it), and the exports download. Every page is
scanned with axe-core.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import PHONE, STRONG_PASSWORD
from tests.browser.test_routing import assert_fits_and_passes_axe

pytestmark = pytest.mark.browser

SEED = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from tendencies.models import Theme, ThemeTag
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
user = get_user_model().objects.get(email={email!r})
workshop = WorkshopFactory(owner=user, title="Getting around")
author = ParticipantFactory(workshop=workshop)
theme = Theme.objects.create(name="Cycling")
ThemeTag.objects.create(theme=theme, name="cykelsti")
Theme.objects.create(name="Libraries")
now = timezone.now()
for days in (1, 2, 3, 40, 70):
    idea = IdeaFactory(author=author, text="Cycle lane", created_at=now - timedelta(days=days))
    idea.tags.add("cykelsti")
print(theme.pk)
"""


def test_a_facilitator_reads_filters_curates_and_exports_tendencies(
    browser: Browser, live_daphne: LiveServer
) -> None:
    # Script stays on for axe-core (its promise never settles with script off); the pages
    # themselves carry none, which the test checks.
    context = browser.new_context(base_url=live_daphne.url, **PHONE)
    email = f"tendencies-{uuid.uuid4().hex[:10]}@example.org"
    page = context.new_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("Password (again)").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="My workshops", level=1)).to_be_visible()
    theme_id = live_daphne.manage("shell", "-c", SEED.format(email=email)).strip().splitlines()[-1]

    page.goto("/facilitate/")
    page.get_by_role("link", name="Tendencies").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Tendencies", level=1)).to_be_visible()
    cycling = page.locator(".tendency-theme", has_text="Cycling")
    expect(cycling).to_contain_text("5 items")
    expect(cycling.get_by_role("img")).to_have_accessible_name(
        "Cycling: 5 in the period, month by month"
    )
    table = page.get_by_role("table", name="Items per theme and month")
    expect(table.get_by_role("row", name="Cycling")).to_contain_text("5")
    assert page.locator("script").count() == 0
    assert_fits_and_passes_axe(page, "tendencies")

    # Filter by keyboard: challenges only, where nothing was said yet.
    page.get_by_label("Source").focus()
    page.keyboard.press("End")
    page.get_by_role("button", name="Show").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Source")).to_have_value("challenges")
    expect(page.locator(".tendency-theme", has_text="Cycling")).to_contain_text("0 items")

    with page.expect_download() as started:
        page.get_by_role("link", name="Download as JSON").click()
    document = json.loads(Path(started.value.path()).read_text())
    assert {theme["theme"]: theme["total"] for theme in document["themes"]} == {
        "Cycling": 0,
        "Libraries": 0,
    }

    page.goto(f"/tendencies/themes/{theme_id}/")
    assert_fits_and_passes_axe(page, "tendencies-theme")
    page.get_by_label("New name").fill("Cycling and walking")
    page.get_by_role("button", name="Rename").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("The theme is renamed.")
    expect(page.get_by_role("heading", name="Cycling and walking", level=1)).to_be_visible()
    context.close()
