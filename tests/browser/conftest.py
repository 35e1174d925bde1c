"""A live Daphne server on a throwaway SQLite file, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.servers import daphne, manage, project_env, service_missing

if TYPE_CHECKING:
    from playwright.sync_api import Page

STRONG_PASSWORD = "Kommune-Workshop-2025!"


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database."""
        return manage(self.env, *args)


def sign_up(page: Page, email: str) -> None:
    """Sign a new facilitator up on the page's site, and wait until they see their workshops."""
    from playwright.sync_api import expect

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("Password (again)").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="My workshops", level=1)).to_be_visible()


@pytest.fixture(scope="session")
def live_daphne() -> Iterator[LiveServer]:
    """A real Daphne serving the project on a throwaway SQLite file, in-memory channel layer."""
    folder = Path(tempfile.mkdtemp(prefix="samskab-browser-"))
    env = project_env(DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", DEBUG="true")
    try:
        manage(env, "migrate", "--noinput")
        with daphne(env) as url:
            yield LiveServer(url=url, env=env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server_url(live_daphne: LiveServer) -> str:
    return live_daphne.url


# Playwright's sync API keeps an event loop running in the main thread while it
# lives; module scope stops it before other modules' asyncio tests need the thread.
@pytest.fixture(scope="module")
def _playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def _chromium(_playwright):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        yield None
        return
    try:
        browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:  # Any launch failure means there is no usable browser here.
        yield None
        return
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest, _chromium):  # type: ignore[no-untyped-def]
    """A running Chromium; skips (or fails under --require-services) when there is none."""
    if _chromium is None:
        service_missing(request, "Chromium")
    return _chromium
