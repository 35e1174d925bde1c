"""Routing in a real Chromium at phone width, by keyboard alone.

A facilitator routes a workshop's ideas once the worker has read them and kept
their suggestions: confirms a suggestion, picks another
administration where the platform abstains; a member of the administration sees
what arrived and passes one on; once the worker has retrained, the public register
page shows the live model. Every page is scanned with axe-core.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import assert_fits_and_passes_axe
from tests.browser.conftest import LiveServer, signed_up
from tests.browser.test_live_room import PHONE

pytestmark = pytest.mark.browser

CYCLE = "A safe cycle lane along the ring road"
VAGUE = "Something for everyone on Saturdays"

SEED = """
from django.contrib.auth import get_user_model
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from tests.routing.labelled import administrations_create
administrations = administrations_create()
user = get_user_model().objects.get(email={email!r})
administrations["roads"].members.add(user)
workshop = WorkshopFactory(owner=user, title="Getting around town")
author = ParticipantFactory(workshop=workshop)
IdeaFactory(author=author, text={cycle!r})
IdeaFactory(author=author, text={vague!r})
"""

HISTORY = """
from django.contrib.auth import get_user_model
from routing.models import Kind
from routing.services import routing_decide
from routing.tasks import routing_model_retrain
from administrations.models import Administration
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from tests.routing.labelled import labelled_rows
user = get_user_model().objects.get(email={email!r})
author = ParticipantFactory(workshop=WorkshopFactory(owner=user, title="Earlier workshops"))
for row in labelled_rows():
    idea = IdeaFactory(author=author, text=row["text"])
    administration = Administration.objects.get(slug=row["administration"])
    routing_decide(
        user=user, kind=Kind.IDEA, object_id=idea.pk, administration_id=administration.pk
    )
print(routing_model_retrain.call())
"""


@pytest.fixture(scope="module")
def phone_facilitator(browser: Browser, server_url: str) -> Iterator[tuple[BrowserContext, str]]:
    context, email = signed_up(browser, server_url, "routing", **PHONE)
    yield context, email
    context.close()


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the element with this accessible name has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return (e.innerText || e.getAttribute('aria-label') || '').trim(); })()"
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_facilitator_routes_by_keyboard_and_an_administration_passes_one_on(
    live_daphne: LiveServer, phone_facilitator: tuple[BrowserContext, str]
) -> None:
    context, email = phone_facilitator
    live_daphne.manage("shell", "-c", SEED.format(email=email, cycle=CYCLE, vague=VAGUE))
    page = context.new_page()
    page.goto("/facilitate/")
    tab_to(page, "Routing")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Routing", level=1)).to_be_visible()
    assert_fits_and_passes_axe(page, "routing-overview")
    page.get_by_role("link", name="Route the items of “Getting around town”").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Routing: Getting around town")).to_be_visible()
    expect(page.get_by_text("2 items wait for a decision.")).to_be_visible()
    # The worker has not read the new ideas yet: the page says so, and waits for nobody.
    expect(page.get_by_text("The platform has not read this item yet", exact=False)).to_have_count(
        2
    )
    live_daphne.manage("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    page.reload()
    expect(page.get_by_text("The platform has not read this item yet", exact=False)).to_have_count(
        0
    )
    assert_fits_and_passes_axe(page, "routing-workshop")

    cycle = page.locator(".routing-item", has_text=CYCLE)
    expect(cycle).to_contain_text("Roads and Traffic (100 % sure)")
    vague = page.locator(".routing-item", has_text=VAGUE)
    expect(vague).to_contain_text(
        "No suggestion: the platform is not sure enough. A person decides."
    )
    expect(vague.get_by_role("button", name="Confirm", exact=False)).to_have_count(0)

    # Confirm the suggestion with the keyboard.
    tab_to(page, "Confirm: Roads and Traffic")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(f"Sent to Roads and Traffic: “{CYCLE}”.")
    expect(page.locator(".routing-item", has_text=CYCLE)).to_contain_text(
        "Sent to Roads and Traffic on"
    )
    expect(page.get_by_text("1 item waits for a decision.")).to_be_visible()

    # Where it abstained, a person picks: the select by keyboard, then its button.
    vague = page.locator(".routing-item", has_text=VAGUE)
    choice = vague.get_by_label("Administration")
    choice.focus()
    # Typing a name picks it in a closed list, whichever other administrations the
    # server holds (other tests on the same server add their own).
    page.keyboard.type("Children")
    assert choice.evaluate("select => select.selectedOptions[0].text") == "Children and Schools"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(f"Sent to Children and Schools: “{VAGUE}”.")
    expect(page.get_by_text("0 items wait for a decision.")).to_be_visible()
    assert_fits_and_passes_axe(page, "routing-workshop-decided")

    # The member of Roads and Traffic sees the cycle lane and passes it on.
    page.goto("/routing/administrations/roads/")
    item = page.locator(".routing-item", has_text=CYCLE)
    expect(item).to_contain_text("from the workshop “Getting around town”")
    assert_fits_and_passes_axe(page, "routing-administration")
    item.get_by_label("Pass on to").select_option(label="Climate and Environment")
    item.get_by_role("button", name="Pass on").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        f"Sent to Climate and Environment: “{CYCLE}”."
    )
    expect(page.get_by_text("Nothing has been sent here yet.")).to_be_visible()
    page.close()


def test_the_register_page_is_written_from_the_live_model(
    live_daphne: LiveServer, browser: Browser, phone_facilitator: tuple[BrowserContext, str]
) -> None:
    _, email = phone_facilitator
    citizen = browser.new_context(base_url=live_daphne.url, **PHONE)
    page = citizen.new_page()
    page.goto("/routing/algorithm/")
    expect(
        page.get_by_role("heading", name="How ideas are routed to administrations")
    ).to_be_visible()
    expect(page.get_by_text("No model has been trained yet", exact=False)).to_be_visible()
    assert_fits_and_passes_axe(page, "routing-register-keywords")

    version = live_daphne.manage("shell", "-c", HISTORY.format(email=email)).strip()
    assert version.splitlines()[-1] == "1"
    page.reload()
    expect(page.get_by_text("Version 1, trained on", exact=False)).to_be_visible()
    table = page.get_by_role("table", name="Figures per administration")
    expect(table.get_by_role("row")).to_have_count(6)
    expect(table).to_contain_text("Elderly Care")
    assert_fits_and_passes_axe(page, "routing-register-model")
    citizen.close()
