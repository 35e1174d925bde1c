"""The tendencies page in a real Chromium at phone width, by keyboard; it carries no script.

A facilitator filters the themes by source with the keyboard, reads the charts and
the table, curates a theme (renames it), and the exports download. Every page is
scanned with axe-core.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.checks import assert_fits_and_passes_axe
from tests.browser.conftest import LiveServer, signed_up
from tests.browser.test_live_room import PHONE

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
    context, email = signed_up(browser, live_daphne.url, "tendencies", **PHONE)
    page = context.new_page()
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


CURATE_SEED = """
from django.contrib.auth import get_user_model
from ideas.models import Cluster
from tendencies.models import Theme, ThemeTag
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
user = get_user_model().objects.get(email={email!r})
workshop = WorkshopFactory(owner=user, title="Our town")
author = ParticipantFactory(workshop=workshop)
for text in ("Longer library opening hours", "Library open on Sundays",
             "Library opening hours in the evening"):
    IdeaFactory(author=author, text=text)
theme = Theme.objects.create(name="Green town")
ThemeTag.objects.create(theme=theme, name="træer")
Cluster.objects.create(workshop=workshop, name="Træer i parken")
"""


def test_a_facilitator_makes_adopts_and_fills_themes_on_the_themes_page(
    browser: Browser, live_daphne: LiveServer
) -> None:
    context, email = signed_up(browser, live_daphne.url, "themes", **PHONE)
    page = context.new_page()
    live_daphne.manage("shell", "-c", CURATE_SEED.format(email=email))

    page.goto("/tendencies/")
    page.get_by_role("link", name="Make and curate themes").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Themes", level=1)).to_be_visible()
    assert page.locator("script").count() == 0
    assert_fits_and_passes_axe(page, "tendencies-themes")

    # The cluster about trees fits the theme gathering "træer": put it there.
    loose = page.locator(".theme-loose li", has_text="Træer i parken")
    expect(loose).to_contain_text("fits “Green town”")
    loose.get_by_role("button", name="Put into “Green town”").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Put into “Green town”.")
    expect(page.locator(".theme-loose li", has_text="Træer i parken")).to_have_count(0)

    # The library ideas are suggested as a theme: adopt it under a name of one's own.
    # (Other tests on the same server leave ideas of their own: find the library one.)
    suggestion = page.locator(".theme-suggestions li", has_text="Library open on Sundays")
    suggestion.get_by_label("Name of the theme").fill("Opening hours")
    suggestion.get_by_role("button", name="Make it a theme").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Opening hours", level=1)).to_be_visible()
    expect(page.locator(".theme-items")).to_contain_text("idea: Library open on Sundays")
    expect(page.locator(".theme-items")).to_contain_text("idea: Longer library opening hours")
    assert_fits_and_passes_axe(page, "tendencies-theme-adopted")

    # A new theme by keyboard, with its tags; a tag of another theme is refused.
    page.goto("/tendencies/themes/")
    page.get_by_label("Name of the theme", exact=True).first.fill("Trees")
    page.get_by_label("Tags it gathers").fill("træer, trees")
    page.get_by_role("button", name="Make the theme").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".form-error")).to_contain_text(
        "The tag “træer” belongs to the theme “Green town”"
    )
    page.get_by_label("Tags it gathers").fill("trees, träd")
    page.get_by_role("button", name="Make the theme").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Trees", level=1)).to_be_visible()
    expect(page.get_by_text("Tags: trees, träd.")).to_be_visible()

    # Merge it into Green town: its page leads there afterwards.
    page.get_by_label("Merge into").select_option(label="Green town")
    page.get_by_role("button", name="Merge").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Green town", level=1)).to_be_visible()
    expect(page.get_by_text("Tags: trees, träd, træer.")).to_be_visible()
    expect(page.locator(".theme-items")).to_contain_text("cluster: Træer i parken")
    context.close()
