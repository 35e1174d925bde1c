"""Debian's Chromium, as the benchmarks, the browser tests and the screenshots launch it."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
# No sandbox, which Chromium cannot start as root; and none of Chromium's own traffic or
# background work, so nothing leaves 127.0.0.1 and the figures measure the product alone.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
