"""A challenge citizen erases their data, on real services: Daphne, the worker, a real SMTP server.

A phone supports a proposal, opens its receipt and leaves a confirmed address. From the
receipt it erases its data: the confirmation page changes nothing until its button is
pressed; afterwards the receipt's link shows the product's "not found" page with
nothing personal on it, a second tab that had the receipt open hears it is gone, the
phone keeps no link to it, and the proposal still counts the support.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.checks import axe_violations
from tests.browser.test_live_room import PHONE, Watch, shoot
from tests.browser.test_receipt import WAIT, Services, wait_for_mail
from tests.browser.test_receipt import services as services  # the module's real services

pytestmark = pytest.mark.browser

ADDRESS = "supporter@example.org"
TITLE = "Trees on Main Street"


def _seed(services: Services) -> int:
    out = services.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from administrations.models import Administration\n"
        "from challenges import services as s\n"
        "from challenges.models import Citizen\n"
        "from tests.factories import UserFactory\n"
        "now = timezone.now()\n"
        "a = Administration.objects.create(name='Roads', slug='roads-erasure')\n"
        "c = s.challenge_create(user=UserFactory(), title='Greener streets', "
        "question='How?', opens_at=now - timedelta(days=1), "
        "closes_at=now + timedelta(days=30), threshold_value=5, administration=a)\n"
        f"p = s.proposal_submit(challenge=c, citizen=Citizen.objects.create(), title={TITLE!r}, "
        "text='Plant lime trees.')\n"
        "s.support_give(proposal_id=p.pk, citizen=Citizen.objects.create())\n"
        "print(p.pk)\n"
    )
    return int(out.strip().splitlines()[-1])


def _count(page: Page) -> str:
    return page.locator(".support-count").first.inner_text().strip()


def _tab_through(page: Page, name: str) -> None:
    """The control is reached by Tab alone, and shows where the focus is."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.textContent")
        if focused and name in focused:
            return
    raise AssertionError(f"{name!r} not reached by Tab")


def test_a_supporter_erases_their_data_and_the_count_stays(
    browser: Browser, services: Services
) -> None:
    watch = Watch()
    proposal_id = _seed(services)
    context = watch.context(browser.new_context(base_url=services.url, **PHONE))
    phone = context.new_page()
    phone.goto(f"/proposals/{proposal_id}/")
    expect(phone.locator(".support-count").first).to_have_text("1")
    phone.get_by_role("button", name="Support this proposal").click()
    expect(phone.get_by_text("Thank you for your support.")).to_be_visible()
    expect(phone.locator(".support-count").first).to_have_text("2")
    phone.reload()

    # The receipt, with a confirmed address.
    phone.get_by_role("link", name="Open your receipt").click()
    expect(phone.get_by_role("heading", name="What I said", level=1)).to_be_visible()
    receipt_url = phone.url
    token = receipt_url.rstrip("/").rsplit("/", 1)[-1]
    phone.get_by_label("Your e-mail address").fill(ADDRESS)
    phone.get_by_role("button", name="Send me the news").click()
    expect(phone.get_by_role("status")).to_contain_text("We have sent you an e-mail")
    body = wait_for_mail(phone, services.sink, ADDRESS, 1)
    confirm = re.search(r"http://\S+/mail/confirm/\S+/", body)
    assert confirm, body
    confirm_page = context.new_page()
    confirm_page.goto(confirm.group(0))
    confirm_page.get_by_role("button", name="Yes, send me the news").click()
    expect(confirm_page.get_by_role("status")).to_contain_text("Your address is confirmed")
    expect(confirm_page.get_by_text(ADDRESS)).to_be_visible()
    confirm_page.close()
    assert token in phone.evaluate("localStorage.getItem('samskab.receipts')")

    # A second tab keeps the receipt open.
    other_tab = context.new_page()
    other_tab.goto(receipt_url)
    expect(other_tab.locator("body")).to_have_attribute("data-receipt-live", "true", timeout=WAIT)

    # Erasing asks first; the question changes nothing.
    phone.reload()
    phone.get_by_role("link", name="Erase my data…").click()
    expect(phone.get_by_role("heading", name="Erase my data", level=1)).to_be_visible()
    assert not axe_violations(phone)
    shoot(phone, "erase-confirm")
    phone.goto(receipt_url)
    expect(phone.get_by_text(ADDRESS)).to_be_visible()
    phone.get_by_role("link", name="Erase my data…").click()

    # By keyboard, the button erases.
    _tab_through(phone, "Yes, erase my data")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("status")).to_contain_text("Your data is erased.")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert not axe_violations(phone)
    assert token not in (phone.evaluate("localStorage.getItem('samskab.receipts')") or "")

    # The other tab hears the link is gone.
    expect(other_tab.locator("[data-receipt-connection]")).to_have_text(
        "This receipt has been withdrawn or erased.", timeout=WAIT
    )

    # The receipt's link shows nothing personal any more. (This server runs with DEBUG,
    # so the 404 is Django's own page here; tests/statuses/test_erasure.py reads the
    # product's, which says the receipt was withdrawn or erased.)
    response = phone.goto(receipt_url)
    assert response is not None and response.status == 404
    text = phone.locator("body").inner_text()
    assert ADDRESS not in text and TITLE not in text and "What I said" not in text
    for path in (f"/r/{token}/qr.svg", f"/r/{token}/erase/"):
        gone = phone.request.get(path)
        assert gone.status == 404 and ADDRESS not in gone.text()

    # The proposal still counts the support, and no longer knows this phone.
    phone.goto(f"/proposals/{proposal_id}/")
    expect(phone.locator(".support-count").first).to_have_text("2")
    expect(phone.locator("[data-receipt-offer]")).to_have_count(0)
    assert not watch.errors, watch.errors
