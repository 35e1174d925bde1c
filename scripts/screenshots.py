"""The README's screenshots, taken from a seeded workshop: `python scripts/screenshots.py`.

Seeds a Danish workshop (bench/showcase.py) in a throwaway SQLite file, serves it with
Daphne, and photographs it in Debian's Chromium: the citizen's phone (360x740), the
facilitator's console (1366x768) and the projector (1920x1080), in the ideate phase
and again once the ideas are grouped. The pictures go to docs/screenshots/, which the
README shows; run this after changing a screen and commit what it writes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from bench.ports import free_port, wait_for_port  # noqa: E402

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SHOWCASE = [sys.executable, "-m", "bench.showcase"]
CONSOLE = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "DEBUG": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [*command, "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, processes=[server])
        yield f"http://127.0.0.1:{port}", env
    finally:
        server.terminate()
        server.wait(timeout=10)


def seed(env: dict[str, str], folder: Path, phase: str) -> dict[str, Any]:
    done = subprocess.run(
        [*SHOWCASE, "--database", str(folder / "db.sqlite3"), "--phase", phase],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    facts: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return facts


def shoot(browser: Any, base: str, facts: dict[str, Any], out: Path, phase: str) -> list[Path]:
    code = facts["join_code"]
    shots = [
        ("phone", PHONE, facts["citizen_session"], f"/w/{code}/"),
        ("console", CONSOLE, facts["facilitator_session"], f"/facilitate/{code}/"),
        ("projector", PROJECTOR, facts["facilitator_session"], f"/facilitate/{code}/projector/"),
    ]
    written = []
    for name, device, session, path in shots:
        context = browser.new_context(base_url=base, **device)
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        page.emulate_media(reduced_motion="reduce")
        page.goto(path)
        page.locator("[data-connection].connection-live").wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        target = out / f"{name}-{phase}.png"
        page.screenshot(path=str(target))
        written.append(target)
        context.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--phases", nargs="+", default=["ideate", "group"])
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="samskab-screenshots-"))
    try:
        with serve(folder) as (base, env), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for phase in options.phases:
                    facts = seed(env, folder, phase)
                    for path in shoot(browser, base, facts, options.out, phase):
                        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            finally:
                browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
