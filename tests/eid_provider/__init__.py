"""Start the test OpenID provider (provider.mjs, npm's oidc-provider) as a real process."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.ports import free_port, wait_for_port

PROVIDER_DIR = Path(__file__).resolve().parent
CLIENT_ID = "samskab-test"
CLIENT_SECRET = "test-client-secret-0123456789"


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node (for the OpenID provider)"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        npm = shutil.which("npm")
        if npm is None:
            return "npm (for the OpenID provider)"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, timeout=300
        )
    return None


@contextlib.contextmanager
def eid_provider(redirect_uris: list[str]) -> Iterator[str]:
    """Run the provider on a free port; yields its issuer URL."""
    node = shutil.which("node")
    assert node is not None
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(redirect_uris),
    }
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, processes=[process])  # type: ignore[list-item]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def next_sign_in(issuer: str, **person: Any) -> None:
    """Who the provider signs in next: sub, acr, municipality_code, clock_offset (seconds)."""
    httpx.post(f"{issuer}/test/next-login", json=person, timeout=10).raise_for_status()
