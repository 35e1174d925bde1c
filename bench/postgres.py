"""A throwaway PostgreSQL cluster, for the integration tests and the benchmark.

It listens only on 127.0.0.1 on a free port, keeps its data in a temporary
directory, and is removed when stopped. PostgreSQL refuses to run as root, so a
root run hands it to the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.ports import free_port, wait_for_port


def postgres_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and createdb: PATH's, or Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        # PATH often holds links (or Debian's wrappers); the real tools sit side by side.
        bin_dir = Path(on_path).resolve().parent
        if all((bin_dir / tool).exists() for tool in ("initdb", "createdb")):
            return bin_dir
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def missing_requirement() -> str:
    """Why a cluster cannot be started here, or '' when it can."""
    if postgres_bin() is None:
        return "PostgreSQL"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "PostgreSQL (no `postgres` user to run it as root)"
        if shutil.which("runuser") is None:
            return "PostgreSQL (no runuser to run it as root)"
    return ""


class Postgres:
    """A PostgreSQL cluster in a temporary directory, run by its own unprivileged user.

    `durable=False` turns fsync off: test data need not survive a crash, and it saves
    seconds. A benchmark keeps it on, as a deployment would.
    """

    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="samskab-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.sockets.mkdir()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            self.run_as = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            for path in (self.root, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [*self.run_as, str(self.bin_dir / tool), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.sockets}"
        if not self.durable:
            options += " -F"
        self._run(
            "pg_ctl",
            "start",
            f"--pgdata={self.data}",
            f"--log={self.log}",
            f"--options={options}",
            "--wait",
            "--timeout=30",
        )
        wait_for_port(self.port, timeout=10)

    def create_database(self, name: str) -> str:
        self._run(
            "createdb", "--host=127.0.0.1", f"--port={self.port}", "--username=postgres", name
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "fast", "--wait")
            except (RuntimeError, subprocess.TimeoutExpired):
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""
