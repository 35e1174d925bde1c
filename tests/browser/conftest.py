"""A live Daphne server on a throwaway SQLite file, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.ports import free_port
from tests.servers import daphne, manage, project_env, service_missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

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


def signed_up(
    browser: Browser, base_url: str, name: str, **options: Any
) -> tuple[BrowserContext, str]:
    """The browser of a facilitator who just signed up, and their e-mail address (`name-…`)."""
    context = browser.new_context(base_url=base_url, **options)
    email = f"{name}-{uuid.uuid4().hex[:10]}@example.org"
    page = context.new_page()
    sign_up(page, email)
    page.close()
    return context, email


@contextlib.contextmanager
def live_server(name: str, **settings: str) -> Iterator[LiveServer]:
    """Daphne serving the project on a throwaway SQLite file, with `settings` in its environment.

    It knows its own address (SITE_URL), as `make run` tells it, for links made without a
    request; the channel layer is in memory.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"samskab-{name}-"))
    port = free_port()
    env = project_env(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DEBUG="true",
        SITE_URL=f"http://127.0.0.1:{port}",
        **settings,
    )
    try:
        manage(env, "migrate", "--noinput")
        with daphne(env, port=port) as url:
            yield LiveServer(url=url, env=env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def live_daphne() -> Iterator[LiveServer]:
    """The live server most browser tests share."""
    with live_server("browser") as server:
        yield server


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
