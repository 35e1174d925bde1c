"""Chromium finds the web app manifest from a page, reads it without a complaint, and has
nothing against installing the site (adding it to a home screen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["da", "sv"])
def test_a_phone_finds_the_manifest_of_its_language_and_may_install_the_site(
    browser: Browser,
    _playwright: Any,
    live_daphne: LiveServer,
    tmp_path: Path,
    language: str,
) -> None:
    # A profile of its own: Chromium installs nothing from a private (incognito) window,
    # which every context of the shared `browser` is.
    context = _playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **PHONE
    )
    try:
        page = context.new_page()
        page.goto(f"{live_daphne.url}/?lang={language}")
        cdp = context.new_cdp_session(page)

        found = cdp.send("Page.getAppManifest")
        assert found["url"] == f"{live_daphne.url}/manifest.webmanifest?lang={language}"
        assert found["errors"] == [], found["errors"]
        manifest = json.loads(found["data"])
        assert manifest["lang"] == language and manifest["display"] == "standalone"
        # Chromium's own checks before it offers "Install" or "Add to Home screen": a
        # manifest with a name, a start page, standalone display and a large enough icon
        # it could fetch.
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [error["errorId"] for error in errors] == []
    finally:
        context.close()
