"""A department's request for co-creation, in a real Chromium at phone width.

A member of an administration asks; a member of the co-creation team accepts it by
keyboard and makes a workshop prefilled from it; the request then shows the
workshop. Every page is scanned with axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.checks import assert_fits_and_passes_axe
from tests.browser.conftest import LiveServer, signed_up
from tests.browser.test_live_room import PHONE

pytestmark = pytest.mark.browser

SEED = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from administrations.models import Administration
users = get_user_model().objects
building = Administration.objects.create(name="Building and Planning", slug="building")
building.members.add(users.get(email={member!r}))
users.get(email={team!r}).user_permissions.add(
    Permission.objects.get(codename="triage_cocreationrequest")
)
"""


def test_a_department_asks_and_the_team_turns_it_into_a_workshop(
    browser: Browser, live_daphne: LiveServer
) -> None:
    department, member = signed_up(browser, live_daphne.url, "department", **PHONE)
    team_context, team = signed_up(browser, live_daphne.url, "team", **PHONE)
    live_daphne.manage("shell", "-c", SEED.format(member=member, team=team))

    page = department.new_page()
    page.goto("/cocreation/")
    assert_fits_and_passes_axe(page, "cocreation-list")
    page.get_by_role("link", name="Ask for co-creation").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ask for co-creation", level=1)).to_be_visible()
    assert_fits_and_passes_axe(page, "cocreation-form")
    page.get_by_label("Title").fill("Building permits online")
    page.get_by_label("Current situation").fill("Applications come on paper.")
    page.get_by_label("The citizens' needs as you see them").fill("To know where their case is.")
    page.get_by_label("Goals and expectations").fill("How can applying feel simple?")
    page.get_by_label("Owner").fill("Kirsten")
    page.get_by_role("button", name="Send to the co-creation team").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        "Your request has gone to the co-creation team."
    )
    expect(page.get_by_text("Waiting for the co-creation team")).to_be_visible()
    assert_fits_and_passes_axe(page, "cocreation-request")
    request_url = page.url

    team_page = team_context.new_page()
    team_page.goto(request_url)
    team_page.get_by_label("Accept").focus()
    team_page.keyboard.press("Space")
    team_page.get_by_role("button", name="Save the decision").focus()
    team_page.keyboard.press("Enter")
    expect(team_page.locator(".messages")).to_contain_text("The department can see your decision.")
    assert_fits_and_passes_axe(team_page, "cocreation-accepted")
    team_page.get_by_role("button", name="Make a workshop").focus()
    team_page.keyboard.press("Enter")
    expect(team_page.get_by_label("Title")).to_have_value("Building permits online")
    expect(team_page.get_by_label("Policy question")).to_have_value("How can applying feel simple?")

    page.reload()
    expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(page.get_by_text("Workshop “Building permits online”")).to_be_visible()
    expect(page.get_by_role("link", name="What became of the ideas")).to_be_visible()
    assert_fits_and_passes_axe(page, "cocreation-outcome")
    department.close()
    team_context.close()
