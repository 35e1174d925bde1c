"""A challenge from creation to "threshold reached" and "expired", in a real Chromium.

Real services throughout: Daphne on PostgreSQL with Redis as its channel layer and
cache, the OpenID provider of tests/eid_provider/ as the eID broker, phones at
360 px. Time-based transitions are driven by running the scheduled job, not by
waiting.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.ports import free_port
from tests import eid_provider as test_provider
from tests.browser.checks import axe_violations
from tests.browser.test_live_room import (
    PHONE,
    Watch,
    shoot,
    sign_up_facilitator,
)
from tests.integration.conftest import postgres_server, redis_server  # noqa: F401 - fixtures
from tests.servers import daphne, manage, project_env, service_missing

pytestmark = [pytest.mark.browser, pytest.mark.services]

RUN_JOB = "from challenges.tasks import challenges_transitions_run as job\nprint(job.call())\n"


class Site:
    def __init__(self, url: str, env: dict[str, str], issuer: str) -> None:
        self.url, self.env, self.issuer = url, env, issuer

    def shell(self, script: str) -> str:
        return manage(self.env, "shell", "-c", script).strip()


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, postgres_server: Any, redis_server: str) -> Iterator[Site]:  # noqa: F811
    problem = test_provider.missing()
    if problem:
        service_missing(request, problem)
    port = free_port()
    callback = f"http://127.0.0.1:{port}/accounts/oidc/eid/login/callback/"
    database = postgres_server.create_database(f"samskab_{uuid.uuid4().hex[:12]}")
    with test_provider.eid_provider([callback]) as issuer:
        env = project_env(
            DATABASE_URL=database,
            REDIS_URL=f"{redis_server}/3",
            DEBUG="true",
            SAMSKAB_MUNICIPALITY_POPULATION="2000",
            SAMSKAB_MUNICIPALITY_CODE="0751",
            EID_SERVER_URL=issuer,
            EID_CLIENT_ID=test_provider.CLIENT_ID,
            EID_CLIENT_SECRET=test_provider.CLIENT_SECRET,
            EID_ACR_VALUES="substantial,high",
            EID_SCOPES="openid,residence",
            EID_SUBJECT_KEY="browser-test-subject-key",
        )
        manage(env, "migrate", "--noinput")
        manage(
            env,
            "shell",
            "-c",
            "from administrations.models import Administration\n"
            "Administration.objects.create(name='Roads and Parks', slug='roads',"
            " email='roads@example.org')",
        )
        with daphne(env, port) as url:
            yield Site(url, env, issuer)


def phone(browser: Browser, site: Site, watch: Watch) -> BrowserContext:
    return watch.context(browser.new_context(base_url=site.url, **PHONE))


def count_of(page: Page) -> Any:
    return page.locator(".support-count").first


def sign_in_with_eid(page: Page, site: Site, **person: str) -> None:
    test_provider.next_sign_in(site.issuer, **person)
    page.get_by_role("button", name="Sign in with eID to support").click()


def test_a_challenge_runs_to_threshold_reached_and_to_expired(browser: Browser, site: Site) -> None:
    watch = Watch()
    facilitator = watch.context(sign_up_facilitator(browser, site.url))
    problems: dict[str, list[str]] = {}

    def check(name: str, page: Page) -> None:
        shoot(page, f"challenge-{name}")
        found = axe_violations(page)
        if found:
            problems[name] = found

    # The facilitator creates a verified challenge for residents: 1 per 1,000 of 2,000 is 2.
    admin = facilitator.new_page()
    admin.goto("/challenges/new/")
    check("create", admin)
    admin.get_by_label("Title").fill("Greener streets")
    admin.get_by_label("Question").fill("How do we make our streets greener?")
    admin.get_by_label("Opens at").fill("2026-01-01T08:00")
    admin.get_by_label("Closes at").fill("2030-01-01T08:00")
    admin.get_by_label("Threshold as").select_option(label="Supporters per 1,000 inhabitants")
    admin.get_by_label("Threshold", exact=True).fill("1")
    admin.get_by_label("Co-sponsors needed before a proposal is published").fill("1")
    admin.get_by_label("Moderation").select_option("pre")
    admin.get_by_label("Who may support").select_option("verified")
    admin.get_by_label("Supporters must live in the municipality (checked in the eID)").check()
    admin.get_by_label("Responsible administration").select_option(label="Roads and Parks")
    admin.get_by_role("button", name="Create the challenge").click()
    expect(admin.get_by_role("heading", name="Greener streets", level=1)).to_be_visible()
    expect(admin.get_by_text("2 supporters (1 per 1,000 inhabitants)")).to_be_visible()
    challenge_url = admin.url

    # A citizen writes a proposal on a phone, by keyboard.
    author = phone(browser, site, watch).new_page()
    author.goto("/challenges/")
    check("list", author)
    author.get_by_role("link", name="Greener streets").click()
    author.get_by_role("link", name="Write a proposal").click()
    check("propose", author)
    author.get_by_label("Title").fill("Lime trees on Main Street")
    author.get_by_label("Your proposal").fill("Plant lime trees along Main Street for shade.")
    author.get_by_label("Your proposal").press("Tab")
    author.keyboard.press("Tab")
    author.get_by_role("button", name="Send the proposal").click()
    expect(author.get_by_role("heading", name="Lime trees on Main Street")).to_be_visible()
    expect(author.get_by_text("Waiting for co-sponsors")).to_be_visible()
    cosponsor_link = author.get_by_label(
        "Send this link to the people who back your proposal"
    ).input_value()
    proposal_url = author.url

    # A co-sponsor confirms through the link; the link cannot be used twice by anyone.
    sponsor = phone(browser, site, watch).new_page()
    sponsor.goto(cosponsor_link)
    check("cosponsor", sponsor)
    sponsor.get_by_role("button", name="I co-sponsor this proposal").click()
    expect(sponsor.get_by_text("Thank you for co-sponsoring this proposal.")).to_be_visible()
    author.reload()
    expect(author.get_by_text("Held for review")).to_be_visible()

    # Pre-moderation: the facilitator publishes it.
    admin.goto(challenge_url)
    admin.get_by_role("link", name="Moderate this challenge").click()
    check("moderate", admin)
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("The proposal is public.")).to_be_visible()

    # A page watches the proposal; the count moves there without a reload.
    watcher = phone(browser, site, watch).new_page()
    watcher.goto(proposal_url)
    watcher.evaluate("window.__notReloaded = true")
    expect(count_of(watcher)).to_have_text("0")
    check("proposal", watcher)
    author.reload()
    expect(author.get_by_text("Open for support")).to_be_visible()

    # Too low a level of assurance: refused, nothing counted.
    weak = phone(browser, site, watch).new_page()
    weak.goto(proposal_url)
    sign_in_with_eid(weak, site, sub="1111111111", acr="low", municipality_code="0751")
    expect(weak.get_by_text("not strong enough")).to_be_visible()

    # Someone from another municipality: refused, nothing counted.
    visitor = phone(browser, site, watch).new_page()
    visitor.goto(proposal_url)
    sign_in_with_eid(visitor, site, sub="2222222222", acr="high", municipality_code="0101")
    visitor.get_by_role("button", name="Support this proposal").click()
    expect(visitor.get_by_text("Only people who live in the municipality")).to_be_visible()
    expect(count_of(watcher)).to_have_text("0")

    # Two residents support: the watcher sees 1, then 2 and the threshold reached.
    sponsor.goto(proposal_url)
    sign_in_with_eid(sponsor, site, sub="3333333333", acr="substantial", municipality_code="0751")
    sponsor.get_by_role("button", name="Support this proposal").click()
    expect(sponsor.get_by_text("Thank you for your support.")).to_be_visible()
    expect(count_of(watcher)).to_have_text("1")
    resident = phone(browser, site, watch).new_page()
    resident.goto(proposal_url)
    sign_in_with_eid(resident, site, sub="4444444444", acr="high", municipality_code="0751")
    resident.get_by_role("button", name="Support this proposal").click()
    expect(count_of(watcher)).to_have_text("2")
    expect(watcher.locator("#live-status")).to_have_text("The threshold is reached.")
    assert watcher.evaluate("window.__notReloaded === true")
    expect(author.locator("#milestone")).to_have_text(re.compile("passed 100 %"))

    # The scheduled job forwards it to the administration.
    assert "'forwarded': 1" in site.shell(RUN_JOB)
    watcher.reload()
    expect(watcher.get_by_text("Forwarded to the administration")).to_be_visible()
    expect(watcher.get_by_text(re.compile("The threshold was reached"))).to_be_visible()

    # A second proposal that nobody supports expires when the challenge closes.
    site.shell(
        "from challenges import services\n"
        "from challenges.models import Challenge, Citizen, Proposal\n"
        "challenge = Challenge.objects.get(title='Greener streets')\n"
        "p = services.proposal_submit(challenge=challenge, citizen=Citizen.objects.create(),"
        " title='Flower boxes', text='Flower boxes on every bridge.')\n"
        "services.proposal_cosponsor(token=p.cosponsor_token, citizen=Citizen.objects.create())\n"
        "services.proposal_approve(user=challenge.owner, proposal_id=p.pk)\n"
        "from django.utils import timezone\n"
        "Challenge.objects.filter(pk=challenge.pk).update(closes_at=timezone.now())\n"
    )
    assert "'expired': 1" in site.shell(RUN_JOB)
    page = phone(browser, site, watch).new_page()
    page.goto(challenge_url + "?sort=closest")
    check("challenge-closed", page)
    expect(page.get_by_text("This challenge has closed.")).to_be_visible()
    expect(page.locator(".proposal-card", has_text="Flower boxes")).to_contain_text("Expired")
    expect(page.locator(".proposal-card", has_text="Lime trees")).to_contain_text("Forwarded")

    assert not watch.errors, watch.errors
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
    assert not problems, f"axe-core violations:\n{report}"
