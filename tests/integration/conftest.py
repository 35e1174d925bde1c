"""Real Redis and PostgreSQL for the multi-process tests, each started once per run.

Both are throwaway: they listen only on 127.0.0.1 on a free port, keep their data
in a temporary directory, and are stopped and removed when the run ends.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.servers import free_port, service_missing, wait_for_port


def _postgres_bin() -> Path | None:
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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis server of its own, with nothing persisted; yields its URL without a db number."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        service_missing(request, "Redis")
    workdir = tempfile.mkdtemp(prefix="samskab-redis-")
    port = free_port()
    log = open(Path(workdir) / "redis.log", "w")  # noqa: SIM115 - closed below
    # Each pair is a line of redis.conf: loopback only, nothing written to disk.
    config = {
        "port": str(port),
        "bind": "127.0.0.1",
        "dir": workdir,
        "save": "",
        "appendonly": "no",
        "daemonize": "no",
    }
    try:
        process = subprocess.Popen(
            [binary, *(arg for key, value in config.items() for arg in (f"--{key}", value))],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    except OSError as error:
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"Redis did not start: {error}")
        service_missing(request, "Redis")
    try:
        try:
            wait_for_port(port, timeout=10, process=process)
        except (RuntimeError, TimeoutError) as error:
            log.flush()
            print(Path(log.name).read_text(errors="replace"))
            print(f"Redis did not start: {error}")
            service_missing(request, "Redis")
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied first so no test hears another's groups or cache."""
    client = redis.Redis.from_url(f"{redis_server}/0", socket_timeout=5)
    try:
        client.flushall()
    finally:
        client.close()
    return f"{redis_server}/0"


class _Postgres:
    """A PostgreSQL cluster in a temporary directory, run by its own unprivileged user."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="samskab-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.sockets.mkdir()
        self.run_as: list[str] = []
        # PostgreSQL refuses to run as root, so a root test run hands it to `postgres`.
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
        # fsync off: a test cluster's data need not survive a crash, and it saves seconds.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -F"
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


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[_Postgres]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        service_missing(request, "PostgreSQL")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            service_missing(request, "PostgreSQL (no `postgres` user to run it as root)")
        if shutil.which("runuser") is None:
            service_missing(request, "PostgreSQL (no runuser to run it as root)")
    assert bin_dir is not None
    cluster = _Postgres(bin_dir)
    try:
        try:
            cluster.start()
        except (RuntimeError, TimeoutError, OSError, subprocess.TimeoutExpired) as error:
            print(cluster.server_log())
            print(f"PostgreSQL did not start: {error}")
            service_missing(request, "PostgreSQL")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(postgres_server: _Postgres) -> str:
    """A new, empty database on the session's PostgreSQL, as a DATABASE_URL."""
    return postgres_server.create_database(f"samskab_{uuid.uuid4().hex[:12]}")


class RestartableRedis:
    """A Redis server of a test's own, which the test may stop and start again (same port)."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.workdir = tempfile.mkdtemp(prefix="samskab-redis-restart-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.workdir),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=10, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None

    def restart(self) -> None:
        """What a Redis restart does to the bus: every connection cut, every group gone."""
        self.stop()
        self.start()


@pytest.fixture
def restartable_redis(request: pytest.FixtureRequest) -> Iterator[RestartableRedis]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        service_missing(request, "Redis")
    server = RestartableRedis(binary)
    try:
        try:
            server.start()
        except (OSError, RuntimeError, TimeoutError) as error:
            print(f"Redis did not start: {error}")
            service_missing(request, "Redis")
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)
