"""Every phase-and-role permission test reads its table through tests/permission_tables.py.

A table is written out by hand in each app's test; how a row is read is written once,
so no test can read a column off by one or skip a phase without the others doing so.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_permission_table_is_read_by_the_one_helper() -> None:
    tables = [
        path
        for path in sorted(TESTS.rglob("test_*permissions*.py"))
        if "EXPECTED" in path.read_text()
    ]
    assert len(tables) >= 5
    for path in tables:
        source = path.read_text()
        assert "permission_tables" in source, f"{path.name} reads its table by itself"
        assert ".split()[" not in source, f"{path.name} picks cells out of a row by itself"
