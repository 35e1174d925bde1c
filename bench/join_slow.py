"""A citizen joins on a slow phone network: `python -m bench.join_slow`.

Serves the project as deployed (DEBUG off, collectstatic, Daphne) with a seeded Danish
workshop of 24 ideas, then opens its join link in Debian's Chromium at phone size with
the network held to 400 kbit/s each way and 2 s round trip (Chrome DevTools Protocol,
Network.emulateNetworkConditions). The citizen taps "Join" as soon as the button shows,
and the clock stops when the room says it is live (its socket is open). Each run starts
with an empty cache, as a phone that follows the link for the first time.

Prints, per run and as the median: seconds from the link to a live room, HTTP requests,
bytes on the wire (as sent: compressed where the server compressed, headers included),
the same bodies uncompressed, and the room's first socket frame. The baseline column is
main before the wire was compressed and the join shortened (see BASELINE); `--app DIR`
measures another checkout of the project instead of this one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
KBIT = 1000 / 8
SLOW = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 400 * KBIT,
    "uploadThroughput": 400 * KBIT,
}
TARGET_SECONDS = 8.0
# Measured with this script (`--app` on a checkout of main at 0d6f456, the last commit
# before the wire changes), median of 3 runs on the 2-core development machine.
BASELINE: dict[str, float] = {
    "seconds": 14.4,
    "requests": 13,
    "wire_kb": 140.3,
    "body_kb": 141.3,
    "frame_kb": 8.5,
}


@dataclass
class Run:
    seconds: float = 0.0
    requests: int = 0
    wire_bytes: int = 0
    body_bytes: int = 0
    frame_bytes: int = 0
    urls: list[str] = field(default_factory=list)


def _env(folder: Path, app: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "k" * 60,
            # Plain http on 127.0.0.1: no HTTPS redirect, cookies without the secure flag.
            "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Each run joins from the same address; the benchmark is not the join throttle.
            "SAMSKAB_RATE_JOIN_PER_ADDRESS": "100000/m",
            "PYTHONPATH": str(app),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _serve(app: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=app,
        env=env,
        check=True,
    )
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        [*command, "config.asgi:application"],
        cwd=app,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, processes=[process])
    return process, f"http://127.0.0.1:{port}"


def _seed(env: dict[str, str], database: Path) -> dict[str, Any]:
    # The seed is this checkout's; the schema is the same in the checkouts compared.
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.showcase", "--database", str(database)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(seeded.stdout.strip().splitlines()[-1])
    return result


def join_once(browser: Any, url: str, think: float = 0.0) -> Run:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    run = Run()
    sizes: dict[str, int] = {}
    bodies: dict[str, int] = {}
    first_frame: list[int] = []
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    paths: dict[str, str] = {}
    from_cache: set[str] = set()
    started = time.monotonic()

    def sent(event: dict[str, Any]) -> None:
        starts[event["requestId"]] = time.monotonic() - started
        paths[event["requestId"]] = event["request"]["url"].split("127.0.0.1")[-1]
        if event.get("redirectResponse"):
            run.requests += 1  # the redirect that led here was a request of its own

    def cached(event: dict[str, Any]) -> None:
        from_cache.add(event["requestId"])

    def received(event: dict[str, Any]) -> None:
        bodies[event["requestId"]] = bodies.get(event["requestId"], 0) + event["dataLength"]

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])
        ends[event["requestId"]] = time.monotonic() - started

    def frame(event: dict[str, Any]) -> None:
        if not first_frame:
            first_frame.append(len(event["response"]["payloadData"].encode()))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.dataReceived", received)
    cdp.on("Network.requestServedFromCache", cached)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", SLOW)

    started = time.monotonic()
    page.goto(url, wait_until="commit", timeout=120_000)
    button = page.locator("main form button[type=submit]").first
    button.wait_for(state="visible", timeout=120_000)
    if think:
        page.wait_for_timeout(think * 1000)
    button.click()
    page.locator("[data-connection].connection-live").wait_for(timeout=120_000)
    run.seconds = time.monotonic() - started
    # What was still on its way when the room went live (icons, late scripts) counts too.
    page.wait_for_timeout(6000)
    # A file the page took from the cache (fetched ahead on the join page) costs nothing.
    fetched = [key for key in paths if key not in from_cache]
    run.requests += len(fetched)
    run.urls = [
        f"{starts[key]:5.1f}-{ends.get(key, 0):5.1f} s {sizes.get(key, 0):>6} B {paths[key]}"
        + (" (cache)" if key in from_cache else "")
        for key in sorted(paths, key=lambda key: starts[key])
    ]
    run.wire_bytes = sum(sizes.values())
    run.body_bytes = sum(bodies.values())
    run.frame_bytes = first_frame[0] if first_frame else 0
    context.close()
    return run


def measure(app: Path, runs: int, think: float = 0.0) -> list[Run]:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="samskab-join-slow-"))
    env = _env(folder, app)
    try:
        facts = _seed(env, folder / "db.sqlite3")
        server, base = _serve(app, env)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    link = f"{base}/j/{facts['join_code']}"
                    return [join_once(browser, link, think) for _ in range(runs)]
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def median(runs: list[Run]) -> dict[str, float]:
    return {
        "seconds": statistics.median(r.seconds for r in runs),
        "requests": statistics.median(r.requests for r in runs),
        "wire_kb": statistics.median(r.wire_bytes for r in runs) / 1000,
        "body_kb": statistics.median(r.body_bytes for r in runs) / 1000,
        "frame_kb": statistics.median(r.frame_bytes for r in runs) / 1000,
    }


ROWS = (
    ("seconds", "link to a live room (s)", "{:.1f}"),
    ("requests", "HTTP requests", "{:.0f}"),
    ("wire_kb", "bytes on the wire (kB)", "{:.1f}"),
    ("body_kb", "the same uncompressed (kB)", "{:.1f}"),
    ("frame_kb", "the room's first frame (kB)", "{:.1f}"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", type=Path, default=ROOT, help="checkout of the project to serve")
    parser.add_argument("--json", action="store_true", help="print the median as JSON")
    parser.add_argument("--verbose", action="store_true", help="list the last run's requests")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds the citizen looks at the join page before tapping (default: none)",
    )
    options = parser.parse_args()
    runs = measure(options.app.resolve(), options.runs, options.think)
    for number, run in enumerate(runs, start=1):
        print(
            f"run {number}: {run.seconds:.1f} s, {run.requests} requests, "
            f"{run.wire_bytes / 1000:.1f} kB on the wire"
        )
    if options.verbose:
        print("\n".join(runs[-1].urls))
    figures = median(runs)
    if options.json:
        print(json.dumps(figures))
        return
    print()
    print(f"{'join at 400 kbit/s, 2 s round trip':36} {'baseline':>10} {'now':>10}")
    for key, label, shape in ROWS:
        before = shape.format(BASELINE[key]) if key in BASELINE else "-"
        print(f"{label:36} {before:>10} {shape.format(figures[key]):>10}")
    verdict = "met" if figures["seconds"] <= TARGET_SECONDS else "NOT met"
    print(f"target: a live room within {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
