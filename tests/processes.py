"""Django shells in processes of their own, for races on a real database.

A race test holds one change uncommitted in a shell (it prints "held" and waits for a
line on its input), starts the racing work, waits until PostgreSQL shows it blocked on
the held lock, and only then lets the change commit: so the test shows the race, not
whichever side happened to run first.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0


def shell(env: dict[str, str], script: str) -> subprocess.Popen[str]:
    """`manage.py shell` running `script`, its input and output kept for the test."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def line(process: subprocess.Popen[str]) -> str:
    """The process's next line; its errors if it ended without one."""
    assert process.stdout is not None
    text = process.stdout.readline().strip()
    if not text:
        assert process.stderr is not None
        process.wait(timeout=WAIT)
        raise AssertionError(process.stderr.read())
    return text


def release(holder: subprocess.Popen[str]) -> None:
    """Let a held change commit, and wait until it has."""
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert line(holder) == "committed"


def waiting_for_a_lock(url: str) -> bool:
    """Whether a backend of the database waits for a lock (within WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    with psycopg.connect(url, autocommit=True) as watching:
        while time.monotonic() < deadline:
            row = watching.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0] > 0:
                return True
            time.sleep(0.05)
    return False
