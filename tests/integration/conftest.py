"""Real Redis and PostgreSQL for the multi-process tests, each started once per run.

Both are throwaway: they listen only on 127.0.0.1 on a free port, keep their data
in a temporary directory, and are stopped and removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bench.postgres import Postgres, missing_requirement, postgres_bin
from tests.servers import free_port, service_missing, wait_for_port


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
            wait_for_port(port, timeout=10, processes=[process])
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


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[Postgres]:
    missing = missing_requirement()
    if missing:
        service_missing(request, missing)
    bin_dir = postgres_bin()
    assert bin_dir is not None
    cluster = Postgres(bin_dir)
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
def database_url(postgres_server: Postgres) -> str:
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
        wait_for_port(self.port, timeout=10, processes=[self.process])

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
