"""Two processes writing to one SQLite file (the server and its worker under `make run`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def _connection(path: Path) -> DatabaseWrapper:
    # The settings the product runs with, on a file of the test's own.
    return DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "NAME": str(path),
            "OPTIONS": dict(settings.DATABASES["default"]["OPTIONS"]),
            "CONN_MAX_AGE": None,
        },
        alias="writers",
    )


@contextmanager
def _atomic(connection: DatabaseWrapper) -> Iterator[None]:
    # What `transaction.atomic` does on SQLite, on a connection outside Django's registry.
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()  # type: ignore[attr-defined]
    yield
    with connection.cursor() as cursor:
        cursor.execute("COMMIT")


def test_a_transaction_that_read_first_waits_for_another_writer(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        _two_writers(tmp_path)


def _two_writers(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    second = _connection(path)
    with second.cursor() as cursor:
        cursor.execute("CREATE TABLE supports (id INTEGER PRIMARY KEY, proposal INTEGER)")
    holding = threading.Event()
    release = threading.Event()

    def other_writer() -> None:
        # The worker, say, mid-way through a write of its own.
        writer = _connection(path)
        with _atomic(writer):
            with writer.cursor() as cursor:
                cursor.execute("INSERT INTO supports (proposal) VALUES (1)")
            holding.set()
            release.wait(5)
        writer.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert holding.wait(5)
    threading.Timer(0.5, release.set).start()
    # A service's transaction: it reads the count, then writes. Without the write lock
    # taken at its start it failed at once with "database is locked".
    with _atomic(second), second.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM supports")
        cursor.execute("INSERT INTO supports (proposal) VALUES (2)")
    thread.join(5)
    with second.cursor() as cursor:
        cursor.execute("SELECT proposal FROM supports ORDER BY proposal")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    second.close()
