"""Real server processes for tests: Daphne running this project, on a free local port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def project_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process of the project: no inherited database or Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def worker_until(env: dict[str, str], script: str, expected: str) -> tuple[str, str]:
    """Run the background worker (`run_worker`, its clock included) until the last line
    `script` prints in a shell is `expected`, or a minute has passed; then stop it as a
    service manager would. Returns that last line and everything the worker printed;
    a worker that did not stop cleanly fails the test.
    """
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline:
            seen = manage(env, "shell", "-c", script).strip().splitlines()[-1]
            if seen == expected:
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    return seen, output


@contextlib.contextmanager
def daphne(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """Run Daphne on this project; yields its base URL and stops it afterwards."""
    with asgi_server(env, "daphne", port) as served:
        yield served.url


@dataclass(frozen=True)
class Served:
    """A running server process: where it listens, and what it has written so far."""

    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


ASGI_SERVERS = ("daphne", "uvicorn")


@contextlib.contextmanager
def asgi_server(env: dict[str, str], kind: str, port: int | None = None) -> Iterator[Served]:
    """Run this project on Daphne or uvicorn; yields where it listens and its log."""
    port = port or free_port()
    log = open(ROOT / f".daphne-{kind}-{port}.log", "w")  # noqa: SIM115 - closed below
    if kind == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        command.append("config.asgi:application")
    elif kind == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "config.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--ws", "websockets"]
    else:
        raise ValueError(f"no ASGI server called {kind!r}")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, processes=[process])
        yield Served(url=f"http://127.0.0.1:{port}", log_path=Path(log.name))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        with contextlib.suppress(OSError):
            os.unlink(log.name)


def service_missing(request: pytest.FixtureRequest, what: str) -> None:
    """Skip when a real service cannot be had, or fail when the run demands every service."""
    if request.config.getoption("--require-services"):
        pytest.fail(f"{what} is not available, and --require-services is set")
    pytest.skip(f"{what} is not available")
