"""The summary as a decision-maker's browser shows and downloads it, under the real CSP."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage

from tests.browser.conftest import LiveServer
from tests.servers import ROOT

pytestmark = pytest.mark.browser


def showcase(live_daphne: LiveServer, phase: str) -> dict[str, Any]:
    """A Danish workshop seeded into the live server's database (bench/showcase.py)."""
    database = live_daphne.env["DATABASE_URL"].removeprefix("sqlite:///")
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.showcase", "--database", database, "--phase", phase],
        cwd=ROOT,
        env=live_daphne.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    facts: dict[str, Any] = json.loads(seeded.stdout.strip().splitlines()[-1])
    return facts


def test_the_support_chart_keeps_its_colours_under_the_csp(
    browser: Browser, live_daphne: LiveServer
) -> None:
    facts = showcase(live_daphne, "closed")
    context = browser.new_context(base_url=live_daphne.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    response = page.goto(f"/s/{facts['share_token']}/")
    assert response is not None
    assert "style-src 'self'" in response.headers["content-security-policy"]
    chart = page.locator("svg.support-chart")
    chart.wait_for()
    fills = chart.evaluate(
        """svg => ({
            carried: getComputedStyle(svg.querySelector("rect.carried")).fill,
            other: getComputedStyle(svg.querySelector("rect.other")).fill,
            text: getComputedStyle(svg.querySelector("text")).fill,
        })"""
    )
    # Without them the CSP-blocked <style> left every bar and the legend black.
    assert fills == {
        "carried": "rgb(29, 79, 145)",
        "other": "rgb(159, 179, 204)",
        "text": "rgb(26, 26, 26)",
    }
    assert refused == []

    with page.expect_download() as started:
        page.locator("a[href$='/pdf']").click()
    assert started.value.suggested_filename == "fremtidens-bibliotek-i-ærø-kommune-summary.pdf"
    context.close()
