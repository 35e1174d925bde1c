"""The README's production steps, run as written in a fresh copy of the repository.

The lines between the README's production-step markers run in a copy of every
file the repository tracks (so nothing built here, such as `staticfiles/` or a
database, helps), with `.venv` pointing at the environment these tests run in
(the README's install step, `pip install .`, needs the network). Only the port
changes, to a free one. Then pages are fetched as the TLS proxy would pass them
on, and every stylesheet and script they name must arrive.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from bench.ports import free_port, wait_for_port
from tests.servers import ROOT

STEPS = re.compile(
    r"<!-- production steps:[^\n]*-->\n(?P<steps>.*?)<!-- end of production steps -->", re.DOTALL
)
HOST = "samskab.example.dk"


def readme_steps() -> list[str]:
    match = STEPS.search((ROOT / "README.md").read_text())
    assert match, "the README's production steps are marked"
    return [line.strip() for line in match["steps"].splitlines() if line.strip()]


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.found.append(str(values["href"]))
        if tag == "script" and values.get("src"):
            self.found.append(str(values["src"]))


def _fresh_copy(target: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))


def test_the_production_steps_serve_every_page_with_its_styles_and_scripts(
    tmp_path: Path,
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    steps = readme_steps()
    assert any("collectstatic" in step for step in steps)
    server = steps[-1]
    assert server.startswith(".venv/bin/uvicorn"), "the last step starts the server"
    port = free_port()
    server = re.sub(r"--port \d+", f"--port {port}", server)
    clone = tmp_path / "samskab"
    clone.mkdir()
    _fresh_copy(clone)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SAMSKAB_", "DEBUG"))
    }

    setup = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(steps[:-1])],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    exports = "\n".join(step for step in steps if step.startswith("export "))
    process = subprocess.Popen(
        ["bash", "-euc", f"{exports}\nexec {server}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=60, processes=[process])
        # As the TLS proxy passes a request on: the site's host, and https.
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            assets: set[str] = set()
            for page in ("/", "/accounts/login/"):
                response = client.get(page)
                assert response.status_code == 200, (page, response.status_code)
                parser = _Assets()
                parser.feed(response.text)
                assert parser.found, f"{page} names no stylesheet or script"
                assets.update(parser.found)
            assert any(asset.endswith(".css") for asset in assets)
            for asset in sorted(assets):
                response = client.get(asset)
                assert response.status_code == 200, (asset, response.status_code)
                assert response.content, asset
            # Not served from the source folders: the copy collected them.
            assert (clone / "staticfiles" / "components" / "samskab.css").exists()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
